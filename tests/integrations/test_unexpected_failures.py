"""An exception nobody classified: recorded with its class, reported, retried with backoff a
bounded number of times, and only then left for a person."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
import time_machine
from django.utils import timezone
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from integrations import connectors, runner
from integrations.errors import FailureClass
from integrations.models import Connection, ConnectionStatus, Provider, SyncRun, SyncStatus
from integrations.ponto.connector import PontoConnector
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


class BrokenConnector(PontoConnector):
    """A provider sync that trips over an answer it cannot read (a bug, not a provider fault)."""

    def sync(self, connection: Connection, run: SyncRun) -> None:
        raise KeyError("attributes")


class CapturingTransport(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def sentry() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    sentry_sdk.init(dsn="http://key@127.0.0.1:9/1", transport=transport, default_integrations=False)
    try:
        yield transport
    finally:
        sentry_sdk.init(dsn=None)


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch, organization: Any) -> Connection:
    monkeypatch.setitem(connectors._connectors, Provider.PONTO, BrokenConnector())
    return make_connection(organization)


def reported_exceptions(transport: CapturingTransport) -> list[str]:
    return [
        value["type"]
        for envelope in transport.envelopes
        for item in envelope.items
        if item.type == "event"
        for value in (item.payload.json or {}).get("exception", {}).get("values", [])
    ]


def test_an_unexpected_exception_is_recorded_reported_and_retried_soon(broken, sentry):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        run = runner.run_sync(broken.pk)

    assert run is not None and run.status == SyncStatus.FAILED
    assert run.error_class == FailureClass.UNEXPECTED
    assert "unexpected error in Smart Invoice (KeyError)" in run.error_message
    broken.refresh_from_db()
    assert broken.status == ConnectionStatus.ACTIVE  # not "error" for a first unclassified failure
    assert broken.consecutive_failures == 1 and broken.last_error_class == FailureClass.UNEXPECTED
    assert broken.next_run_at == now + datetime.timedelta(minutes=5)
    assert reported_exceptions(sentry) == ["KeyError"]


def test_retries_back_off_then_wait_for_a_person(broken, sentry):
    delays = []
    for _ in range(runner.UNEXPECTED_RETRIES):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            runner.run_sync(broken.pk)
        broken.refresh_from_db()
        delays.append((broken.status, broken.next_run_at - now))

    minutes = datetime.timedelta(minutes=1)
    assert delays == [
        (ConnectionStatus.ACTIVE, 5 * minutes),
        (ConnectionStatus.ACTIVE, 10 * minutes),
        (ConnectionStatus.ACTIVE, 20 * minutes),
        (ConnectionStatus.ACTIVE, 40 * minutes),
        (ConnectionStatus.ERROR, 360 * minutes),
    ]
    assert reported_exceptions(sentry) == ["KeyError"] * runner.UNEXPECTED_RETRIES


def test_the_connection_page_says_what_happened_in_words(broken, owner_client):
    runner.run_sync(broken.pk)

    page = owner_client.get(broken.get_absolute_url()).content.decode()

    assert "The sync stopped on an unexpected error in Smart Invoice (KeyError)" in page
    assert "Nothing already fetched is lost" in page
    assert "Next attempt 4\xa0minutes from now" in page or "Next attempt 5\xa0minutes from now" in page


def test_transient_failures_before_do_not_use_up_the_retries(broken, sentry):
    for _ in range(4):  # a provider outage first: four transient failures in a row
        SyncRun.objects.create(
            connection=broken, trigger="schedule", status=SyncStatus.FAILED, error_class=FailureClass.TRANSIENT
        )
    Connection.objects.filter(pk=broken.pk).update(consecutive_failures=4)

    runner.run_sync(broken.pk)

    broken.refresh_from_db()
    assert broken.status == ConnectionStatus.ACTIVE and broken.consecutive_failures == 5
