"""The move of the bank models into the banking app, run on a database holding rows of each."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_MOVE = [
    ("integrations", "0008_booking_claim"),
    ("dashboards", "0002_dashboardstate_reconciled_account_ids"),
    ("invoices", "0005_invoice_paid_on"),
]
MOVED = {
    ("integrations", "BankAccount"): ("banking", "BankAccount"),
    ("integrations", "BankTransaction"): ("banking", "BankTransaction"),
    ("integrations", "Bill"): ("banking", "Bill"),
    ("dashboards", "CategoryRule"): ("banking", "CategoryRule"),
    ("dashboards", "Match"): ("banking", "Match"),
    ("dashboards", "Allocation"): ("banking", "Allocation"),
    ("dashboards", "RecurringFlow"): ("banking", "RecurringFlow"),
}


def migrate(targets: list[tuple[str, str | None]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([(app, name) for app, name in targets if name is not None]).apps


def latest() -> list[tuple[str, str | None]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _back_to_the_latest() -> Iterator[None]:
    yield
    migrate(latest())


def rows(apps: Apps, app_label: str, model_name: str) -> list[dict[str, Any]]:
    return list(apps.get_model(app_label, model_name).objects.order_by("pk").values())


def write_rows_before_the_move(apps: Apps) -> None:
    organization = apps.get_model("core", "Organization").objects.create(name="Acme BV")
    link = apps.get_model("integrations", "Connection").objects.create(organization=organization, provider="ponto")
    account = apps.get_model("integrations", "BankAccount").objects.create(
        organization=organization,
        connection=link,
        external_id="acc-1",
        iban="BE68539007547034",
        current_balance=Decimal("1234.56"),
        raw={"balance": 1234.56},
    )
    incoming = apps.get_model("integrations", "BankTransaction").objects.create(
        organization=organization,
        connection=link,
        account=account,
        external_id="tx-1",
        execution_date=datetime.date(2026, 3, 2),
        amount=Decimal("100.10"),
        counterpart_name="Client NV",
        category="Sales",
        raw_digest="d" * 64,
    )
    apps.get_model("integrations", "Bill").objects.create(
        organization=organization,
        connection=link,
        external_id="bill-1",
        supplier="Rent BV",
        open_amount=Decimal("950.00"),
        due_date=datetime.date(2026, 4, 1),
    )
    apps.get_model("dashboards", "CategoryRule").objects.create(
        organization=organization,
        category="Sales",
        field="counterpart_name",
        value="client",
        amount_min=Decimal("0.01"),
    )
    client = apps.get_model("invoices", "Client").objects.create(organization=organization, name="Client NV")
    invoice = apps.get_model("invoices", "Invoice").objects.create(
        organization=organization,
        client=client,
        number="2026-001",
        issue_date=datetime.date(2026, 2, 1),
        due_date=datetime.date(2026, 3, 1),
        payment_reference="000000000097",
        total=Decimal("100.10"),
    )
    payment = apps.get_model("invoices", "Payment").objects.create(
        organization=organization,
        client=client,
        invoice=invoice,
        amount=Decimal("100.10"),
        date=incoming.execution_date,
    )
    match = apps.get_model("dashboards", "Match").objects.create(
        organization=organization, transaction=incoming, status="applied", evidence="reference", automatic=True
    )
    match.candidates.add(invoice)
    apps.get_model("dashboards", "Allocation").objects.create(
        organization=organization, match=match, invoice=invoice, payment=payment, amount=Decimal("100.10")
    )
    apps.get_model("dashboards", "RecurringFlow").objects.create(
        organization=organization,
        counterparty="Rent BV",
        currency="EUR",
        amount=Decimal("-950.00"),
        interval_days=30,
        occurrences=6,
        last_date=datetime.date(2026, 3, 1),
        next_date=datetime.date(2026, 4, 1),
    )
    apps.get_model("dashboards", "DailyRollup").objects.create(
        organization=organization,
        account=account,
        day=incoming.execution_date,
        category="Sales",
        inflow=incoming.amount,
    )
    apps.get_model("integrations", "PontoSynchronization").objects.create(account=account, origin="requested")


def test_every_moved_row_is_read_through_the_banking_models_after_the_move():
    apps = migrate([("banking", None), *BEFORE_MOVE])
    write_rows_before_the_move(apps)
    before = {moved: rows(apps, *old) for old, moved in MOVED.items()}
    candidates_before = list(apps.get_model("dashboards", "Match").objects.values_list("pk", "candidates"))

    apps = migrate(latest())

    # Columns added by later migrations (e.g. a bill's superseded_by) are not the move's business.
    after = {
        moved: [
            {column: row[column] for column in old} for row, old in zip(rows(apps, *moved), before[moved], strict=True)
        ]
        for moved in MOVED.values()
    }
    assert after == before
    assert all(before.values())  # a row of every moved model was compared
    assert list(apps.get_model("banking", "Match").objects.values_list("pk", "candidates")) == candidates_before
    account = apps.get_model("banking", "BankAccount").objects.get()
    assert apps.get_model("dashboards", "DailyRollup").objects.get().account == account
    assert apps.get_model("integrations", "PontoSynchronization").objects.get().account == account
    assert account.transactions.get().reconciliation.allocations.get().amount == Decimal("100.10")


def test_the_move_can_be_undone_without_losing_rows():
    apps = migrate([("banking", None), *BEFORE_MOVE])
    write_rows_before_the_move(apps)
    before = {old: rows(apps, *old) for old in MOVED}

    migrate(latest())
    apps = migrate([("banking", None), *BEFORE_MOVE])

    assert {old: rows(apps, *old) for old in MOVED} == before


def transaction_constraints() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        constraints: dict[str, dict[str, Any]] = connection.introspection.get_constraints(
            cursor, "integrations_banktransaction"
        )
    return constraints


def single_column_indexes() -> set[str]:
    return {
        about["columns"][0]
        for about in transaction_constraints().values()
        if about["index"] and not about["unique"] and len(about["columns"]) == 1
    }


def test_bank_transactions_lose_only_the_indexes_that_wider_ones_lead():
    foreign_keys = {"account_id", "connection_id", "organization_id"}
    migrate([("banking", "0001_initial")])
    assert foreign_keys <= single_column_indexes()

    migrate([("banking", "0002_bank_transaction_without_redundant_indexes")])

    assert not foreign_keys & single_column_indexes()
    constraints = transaction_constraints().values()
    leading = {tuple(about["columns"][:1]) for about in constraints if about["index"] or about["unique"]}
    assert {("account_id",), ("connection_id",), ("organization_id",)} <= leading  # wider ones still lead
    assert foreign_keys <= {about["columns"][0] for about in constraints if about["foreign_key"]}
