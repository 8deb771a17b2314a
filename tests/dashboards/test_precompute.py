"""The open items (receivables by expected day, overdue receivables, open bills) are computed once
per data version, shared by the forecast and the overview, and precomputed in the background after
every bump: the same numbers as computing them in the request, never served after new data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.memory import memory
from core.models import Organization
from dashboards import state as dashboard_state
from dashboards import tasks
from dashboards.open_items import compute_open_items, open_items_key
from dashboards.overview import compute_figures
from dashboards.state import bump, remembered, state_for
from tests.dashboards.test_forecast import (  # noqa: F401  (fixtures: the day and the data set)
    TODAY,
    _today,
    add_bill,
    context_of,
    d,
)
from tests.dashboards.test_forecast import scenario as scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    for each in (cache, memory):
        each.clear()


def forget() -> None:
    cache.clear()
    memory.clear()


def test_the_precompute_keeps_what_the_request_would_compute(scenario: Organization):
    tasks.precompute_open_items(scenario.pk)

    kept = remembered(open_items_key(scenario.pk, state_for(scenario.pk).data_version, "EUR"))
    assert kept == compute_open_items(scenario.pk, "EUR", TODAY)
    assert (kept.bills_total, kept.bills_count, kept.bills_overdue_total) == (
        Decimal("3200.00"),
        2,
        Decimal("200.00"),
    )
    # Café Noir's 500 is long overdue; the late payer's March invoice is not due yet.
    assert (kept.overdue_receivables_total, kept.overdue_receivables_count) == (Decimal("500.00"), 1)
    # USD, a currency none of the accounts is in, is not precomputed: the filters do not offer it.
    assert remembered(open_items_key(scenario.pk, state_for(scenario.pk).data_version, "USD")) is None


def test_the_overview_after_the_precompute_shows_the_same_figures_with_fewer_queries(scenario: Organization):
    context = context_of(scenario, version=state_for(scenario.pk).data_version)
    with CaptureQueriesContext(connection) as cold:
        direct = compute_figures(context)
    forget()
    tasks.precompute_open_items(scenario.pk)

    with CaptureQueriesContext(connection) as after:
        precomputed = compute_figures(context)

    assert precomputed == direct
    assert (direct["payables_total"], direct["payables_count"]) == (Decimal("3200.00"), 2)
    assert len(after.captured_queries) <= len(cold.captured_queries) - 3  # receivables, overdue, bills


def test_a_bump_queues_the_precompute_once_committed(
    organization: Organization, task_queue: Any, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        bump(organization.pk)
        assert task_queue.queue_size() == 0  # nothing before the commit

    assert task_queue.queue_size() == 1


@override_settings(DASHBOARD_PRECOMPUTE=False)
def test_no_precompute_is_queued_when_turned_off(
    organization: Organization, task_queue: Any, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=True):
        bump(organization.pk)

    assert task_queue.queue_size() == 0


def test_a_queue_that_refuses_leaves_the_bump_standing(
    organization: Organization, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
):
    before = state_for(organization.pk).data_version

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(dashboard_state, "async_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        bump(organization.pk)

    assert state_for(organization.pk).data_version == before + 1


def test_new_data_is_never_read_from_the_kept_open_items(scenario: Organization):
    tasks.precompute_open_items(scenario.pk)
    old_version = state_for(scenario.pk).data_version

    add_bill(scenario, "450.00", d(5, 20))
    # What the bill's commit runs (the test's transaction never commits; the data set's own
    # bumps are still pending in it, so `bump` would wait for them).
    dashboard_state._Bump(scenario.pk)()

    version = state_for(scenario.pk).data_version
    assert version > old_version
    assert remembered(open_items_key(scenario.pk, version, "EUR")) is None
    figures = compute_figures(context_of(scenario, version=version))
    assert (figures["payables_total"], figures["payables_count"]) == (Decimal("3650.00"), 3)
    # The new version's run keeps the new numbers.
    forget()
    tasks.precompute_open_items(scenario.pk)
    kept = remembered(open_items_key(scenario.pk, version, "EUR"))
    assert kept is not None and kept.bills_total == Decimal("3650.00")
