"""What follows a sync: categorise, reconcile, detect recurring flows, bump the data version; in
that order, each step's failure recorded on the run without undoing the synced rows."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection as database
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from banking import pipeline
from banking.models import BankTransaction, CategoryRule, RecurringFlow, TransactionStatus
from dashboards.models import DailyRollup, DashboardState
from integrations.models import Connection, SyncRun, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import control, ground_truth, link_ponto
from tests.integrations.test_unexpected_failures import CapturingTransport, reported_exceptions

pytestmark = pytest.mark.django_db(transaction=True)  # each step commits on its own, as in production


def synced(connection: Connection) -> SyncRun:
    run = run_sync(connection.pk)
    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    return run


def income_rule(connection: Connection) -> CategoryRule:
    return CategoryRule.objects.create(
        organization_id=connection.organization_id, position=1, category="Income", amount_min=Decimal("0.01")
    )


def broken_rule(connection: Connection) -> CategoryRule:
    """A rule on a field transactions do not have (a stored rule the code no longer understands)."""
    return CategoryRule.objects.create(
        organization_id=connection.organization_id, position=0, category="Broken", field="no_such_field", value="x"
    )


def booked_income() -> Decimal:
    booked = BankTransaction.objects.filter(status=TransactionStatus.BOOKED, amount__gt=0)
    total: Decimal = booked.aggregate(total=Sum("amount"))["total"]
    return total


def rollup_inflow(category: str) -> Decimal:
    return DailyRollup.objects.filter(category=category).aggregate(total=Sum("inflow"))["total"] or Decimal("0")


@pytest.fixture
def statements() -> Iterator[list[str]]:
    executed: list[str] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with database.execute_wrapper(record):
        yield executed


def first(statements: list[str], *fragments: str) -> int:
    return next(i for i, sql in enumerate(statements) if all(fragment in sql for fragment in fragments))


def last(statements: list[str], *fragments: str) -> int:
    return max(i for i, sql in enumerate(statements) if all(fragment in sql for fragment in fragments))


def test_the_steps_run_in_order_after_the_sync(owner_client: Client, ponto: PontoSandbox, statements: list[str]):
    connection = link_ponto(owner_client)
    income_rule(connection)

    synced(connection)

    inserted = first(statements, 'INSERT INTO "integrations_banktransaction"')
    categorised = first(statements, 'UPDATE "integrations_banktransaction" SET "category"')
    reconciled = first(statements, 'UPDATE "dashboards_dashboardstate" SET "reconciled_account_ids"')
    detected = first(statements, 'DELETE FROM "dashboards_recurringflow"')
    bumped = last(statements, 'UPDATE "dashboards_dashboardstate" SET "data_version"')
    assert inserted < categorised < reconciled < detected < bumped


def test_a_failing_step_is_recorded_and_reported_and_the_later_steps_still_run(
    owner_client: Client, ponto: PontoSandbox, sentry: CapturingTransport
):
    connection = link_ponto(owner_client)
    broken_rule(connection)
    stale = RecurringFlow.objects.create(
        organization_id=connection.organization_id,
        counterparty="Gone",
        currency="EUR",
        amount=Decimal("-10.00"),
        interval_days=30,
        occurrences=3,
        last_date=datetime.date(2020, 1, 1),
        next_date=datetime.date(2020, 2, 1),
    )

    run = synced(connection)

    assert [failure["step"] for failure in run.after_sync_failures] == ["categorise"]
    assert "FieldError" in run.after_sync_failures[0]["error"]
    assert SyncRun.objects.get(pk=run.pk).after_sync_failures == run.after_sync_failures
    assert reported_exceptions(sentry) == ["FieldError"]
    # The synced rows stay, and the steps after the failed one ran.
    truth = ground_truth(ponto)
    assert BankTransaction.objects.count() == sum(a["count"] + len(a["pending"]) for a in truth.values())
    assert DashboardState.objects.get(organization_id=connection.organization_id).reconciled_account_ids
    assert not RecurringFlow.objects.filter(pk=stale.pk).exists()
    page = owner_client.get(reverse("integrations:connection_detail", args=[connection.pk])).content.decode()
    assert "Failed: categorise: FieldError" in page


def test_a_failed_categorise_is_repaired_by_the_next_run(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    broken = broken_rule(connection)
    income_rule(connection)
    synced(connection)
    assert rollup_inflow("Income") == 0

    broken.delete()
    run = synced(connection)

    assert run.rows_added == 0 and run.after_sync_failures == []
    assert not BankTransaction.objects.filter(amount__gt=0, category="").exists()
    # The rollups moved the income to its category: counted once, under "Income" only.
    assert rollup_inflow("Income") == booked_income() > 0
    assert rollup_inflow("") == 0


def test_a_changed_row_is_categorised_again_by_its_new_fields(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    CategoryRule.objects.create(
        organization_id=connection.organization_id, category="Corrected", field="remittance_information", value="fixed"
    )
    synced(connection)
    newest = next(iter(ground_truth(ponto).values()))["transactions"][0]["id"]
    row = BankTransaction.objects.get(external_id=newest)
    assert row.category == ""
    control(ponto, "PATCH", f"transactions/{row.external_id}", json={"remittanceInformation": "Fixed text"})

    synced(connection)

    row.refresh_from_db()
    assert (row.remittance_information, row.category) == ("Fixed text", "Corrected")


@pytest.mark.skipif(database.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_large_write_has_postgresql_refresh_the_tables_statistics_before_reconciling(
    owner_client: Client, ponto: PontoSandbox, statements: list[str], monkeypatch: pytest.MonkeyPatch
):
    connection = link_ponto(owner_client)
    run = synced(connection)
    monkeypatch.setattr("banking.pipeline.ANALYZE_AFTER_ROWS", run.rows_added)
    statements.clear()

    pipeline.after_sync(connection, run)

    analysed = first(statements, 'ANALYZE "integrations_banktransaction"')
    assert analysed < first(statements, '"dashboards_dashboardstate"', "FOR UPDATE")  # reconciliation's lock


def test_a_small_write_leaves_the_statistics_to_autovacuum(
    owner_client: Client, ponto: PontoSandbox, statements: list[str], monkeypatch: pytest.MonkeyPatch
):
    connection = link_ponto(owner_client)
    run = synced(connection)
    monkeypatch.setattr("banking.pipeline.ANALYZE_AFTER_ROWS", run.rows_added + run.rows_updated + 1)
    statements.clear()

    pipeline.after_sync(connection, run)

    assert not any("ANALYZE" in sql for sql in statements)
