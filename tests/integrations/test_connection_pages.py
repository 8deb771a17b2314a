"""The connections pages: status in words, choosing accounts, sync now with progress, roles."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banking.models import BankAccount
from core.models import AuditEvent, Organization, Role
from integrations.models import Connection, ConnectionStatus
from tests.factories import make_connection, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db


def account(connection: Connection, iban: str, included: bool = True) -> BankAccount:
    return BankAccount.objects.create(
        organization_id=connection.organization_id,
        connection=connection,
        external_id=iban,
        iban=iban,
        name="Current account",
        included=included,
    )


def test_list_shows_status_last_sync_and_error_in_words(owner_client: Client, organization: Organization):
    connection = make_connection(
        organization,
        last_success_at=timezone.now() - datetime.timedelta(hours=3),
        last_error="Ponto answered HTTP 503.",
        consecutive_failures=1,
    )
    account(connection, "BE71096123456769")

    page = owner_client.get(reverse("integrations:connection_list")).content.decode()

    assert "3\xa0hours ago" in page or "3 hours ago" in page
    assert "Ponto answered HTTP 503." in page
    assert "BE71096123456769" in page


def test_admin_chooses_the_accounts_to_include_and_it_is_audited(owner_client: Client, organization: Organization):
    connection = make_connection(organization)
    keep, drop = account(connection, "BE1"), account(connection, "BE2")

    owner_client.post(reverse("integrations:connection_detail", args=[connection.pk]), {"accounts": [str(keep.pk)]})

    assert list(BankAccount.objects.filter(included=True)) == [keep]
    assert not BankAccount.objects.get(pk=drop.pk).included
    event = AuditEvent.objects.get(action="connection.accounts_chosen")
    assert (event.before, event.after) == ({"included": ["BE1", "BE2"]}, {"included": ["BE1"]})


def test_sync_now_queues_one_sync_and_the_status_says_so(
    owner_client: Client, organization: Organization, task_queue: Any
):
    connection = make_connection(organization)

    owner_client.post(reverse("integrations:connection_sync", args=[connection.pk]))
    status = owner_client.get(reverse("integrations:connection_status", args=[connection.pk])).json()

    assert task_queue.queue_size() == 1
    assert status == {
        "connection": connection.pk,
        "status": "active",
        "syncing": False,
        "progress": "",
        "last_success_at": None,
        "run": None,
    }


def test_sync_now_while_one_runs_queues_nothing_more(owner_client: Client, organization: Organization, task_queue: Any):
    connection = make_connection(organization, sync_claimed_at=timezone.now())

    response = owner_client.post(reverse("integrations:connection_sync", args=[connection.pk]), follow=True)

    assert task_queue.queue_size() == 0
    assert "already running" in response.content.decode()


def test_viewer_cannot_sync_choose_or_disconnect(organization: Organization):
    connection = make_connection(organization)
    viewer = logged_in_client(member(organization, Role.VIEWER))

    assert viewer.get(reverse("integrations:connection_detail", args=[connection.pk])).status_code == 200
    assert viewer.post(reverse("integrations:connection_sync", args=[connection.pk])).status_code == 403
    assert viewer.post(reverse("integrations:connection_disconnect", args=[connection.pk])).status_code == 403
    assert viewer.post(reverse("integrations:connection_detail", args=[connection.pk]), {}).status_code == 403
    assert Connection.objects.get().status == ConnectionStatus.ACTIVE


def test_finance_can_sync_but_not_disconnect(organization: Organization):
    connection = make_connection(organization)
    finance = logged_in_client(member(organization, Role.FINANCE))

    assert finance.post(reverse("integrations:connection_sync", args=[connection.pk])).status_code == 302
    assert finance.post(reverse("integrations:connection_disconnect", args=[connection.pk])).status_code == 403


def test_sync_now_is_rate_limited(owner_client: Client, organization: Organization, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sync": "2/m"}
    connection = make_connection(organization)
    url = reverse("integrations:connection_sync", args=[connection.pk])

    responses = [owner_client.post(url, follow=True).content.decode() for _ in range(3)]

    assert "Syncs were asked for too often" in responses[-1]


def test_the_csp_lets_the_consent_form_redirect_to_ponto(owner_client: Client, settings):
    # Browsers check form-action on the redirect that follows a POST: without Ponto's origin the
    # Connect button silently does nothing (seen in a real browser before this was added).
    csp = owner_client.get(reverse("integrations:connection_list"))["Content-Security-Policy"]
    form_action = next(part for part in csp.split(";") if part.strip().startswith("form-action"))
    assert "'self'" in form_action
    assert "http://127.0.0.1:8001" in form_action


def test_admin_sets_how_often_a_connection_syncs(owner_client: Client, organization: Organization):
    from django_q.models import Schedule

    connection = make_connection(organization)
    url = reverse("integrations:connection_schedule", args=[connection.pk])

    bad = owner_client.post(url, {"minutes": "7"}, follow=True)
    owner_client.post(url, {"minutes": "60"})

    connection.refresh_from_db()
    assert "Choose one of the offered sync intervals." in bad.content.decode()
    assert connection.sync_interval_minutes == 60
    assert Schedule.objects.get(name=f"sync connection {connection.pk}").minutes == 60
    assert AuditEvent.objects.filter(action="connection.schedule_changed").count() == 1
