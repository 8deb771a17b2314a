"""Syncs run on a schedule, from the command line, and can ask Ponto to refresh from the bank."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from integrations.models import Connection, ConnectionStatus, SyncRun, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import assert_matches_ground_truth, control, link_ponto

pytestmark = pytest.mark.django_db


def test_linking_schedules_the_connection_and_queues_a_first_sync(
    owner_client: Client, ponto: PontoSandbox, task_queue: Any
):
    connection = link_ponto(owner_client)

    schedule = Schedule.objects.get(name=f"sync connection {connection.pk}")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "integrations.tasks.sync_connection",
        Schedule.MINUTES,
        360,
    )
    assert task_queue.queue_size() == 1

    owner_client.post(reverse("integrations:connection_disconnect", args=[connection.pk]))
    assert not Schedule.objects.filter(name=f"sync connection {connection.pk}").exists()


def test_the_command_syncs_due_connections_only(owner_client: Client, ponto: PontoSandbox, capsys):
    connection = link_ponto(owner_client)
    Connection.objects.filter(pk=connection.pk).update(next_run_at=timezone.now() + datetime.timedelta(hours=1))

    call_command("sync_connections")
    assert not SyncRun.objects.exists()
    call_command("sync_connections", connection=connection.pk)

    assert "success" in capsys.readouterr().out
    assert_matches_ground_truth(ponto, connection)


def test_asking_ponto_to_synchronize_first_applies_its_updates(owner_client: Client, ponto: PontoSandbox, settings):
    settings.PONTO_REQUEST_SYNCHRONIZATION = True
    control(ponto, "POST", "settings", json={"sync_running_after": 0, "sync_done_after": 0, "sync_cooldown": 600})
    connection = link_ponto(owner_client)
    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]

    # A second run inside Ponto's cooldown meets accountRecentlySynchronized and uses what Ponto has.
    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert_matches_ground_truth(ponto, connection)


def test_consent_ending_within_two_weeks_shows_a_banner(owner_client: Client, organization):
    from tests.factories import make_connection

    make_connection(organization, consent_expires_at=timezone.now() + datetime.timedelta(days=5))

    page = owner_client.get(reverse("home")).content.decode()

    assert "re-authorise it before then" in page
