"""Rollups follow every write of bank transactions, in the writer's transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from banking.ingest import delete_transactions, save_transactions
from banking.models import BankTransaction
from dashboards.models import CounterpartyRollup, DailyRollup
from tests.factories import add_transactions, make_bank_account

pytestmark = pytest.mark.django_db

D = datetime.date


def daily(account_id: int) -> dict[tuple[datetime.date, str], tuple[Decimal, Decimal, int]]:
    return {
        (r.day, r.category): (r.inflow, r.outflow, r.count) for r in DailyRollup.objects.filter(account_id=account_id)
    }


def test_new_transactions_are_summed_per_day_and_month(organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "100.00"), (D(2026, 5, 1), "-30.50"), (D(2026, 5, 1), "20.00"))
    add_transactions(account, (D(2026, 5, 20), "-9.99"), counterpart_name="Telecom")
    assert daily(account.pk) == {
        (D(2026, 5, 1), ""): (Decimal("120.00"), Decimal("30.50"), 3),
        (D(2026, 5, 20), ""): (Decimal("0.00"), Decimal("9.99"), 1),
    }
    months = {(r.month, r.counterparty): (r.inflow, r.outflow, r.count) for r in CounterpartyRollup.objects.all()}
    assert months == {
        (D(2026, 5, 1), "(no counterparty)"): (Decimal("120.00"), Decimal("30.50"), 3),
        (D(2026, 5, 1), "Telecom"): (Decimal("0.00"), Decimal("9.99"), 1),
    }


def test_a_counterparty_written_with_spaces_or_only_as_an_iban_gets_one_row_a_month(organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 2), "-10.00"), counterpart_name="Telecom")
    add_transactions(account, (D(2026, 5, 9), "-5.25"), counterpart_name="  Telecom ")
    add_transactions(account, (D(2026, 5, 9), "7.00"), (D(2026, 5, 30), "1.00"), counterpart_iban="BE71096123456769")
    add_transactions(account, (D(2026, 6, 1), "-1.00"), counterpart_name="Telecom")

    months = {
        (r.month, r.counterparty): (r.inflow, r.outflow, r.count, r.currency) for r in CounterpartyRollup.objects.all()
    }
    assert months == {
        (D(2026, 5, 1), "Telecom"): (Decimal("0.00"), Decimal("15.25"), 2, "EUR"),
        (D(2026, 5, 1), "BE71096123456769"): (Decimal("8.00"), Decimal("0.00"), 2, "EUR"),
        (D(2026, 6, 1), "Telecom"): (Decimal("0.00"), Decimal("1.00"), 1, "EUR"),
    }


def test_a_changed_transaction_moves_out_of_its_old_day(organization):
    account = make_bank_account(organization)
    [row] = add_transactions(account, (D(2026, 5, 1), "100.00"))
    row = BankTransaction.objects.get(pk=row.pk)
    old_day = (account.pk, D(2026, 5, 1))
    row.execution_date, row.amount = D(2026, 6, 2), Decimal("80.00")
    with transaction.atomic():
        save_transactions(organization.pk, [], [row], ["execution_date", "amount"], {old_day})
    assert daily(account.pk) == {(D(2026, 6, 2), ""): (Decimal("80.00"), Decimal("0.00"), 1)}
    assert list(CounterpartyRollup.objects.values_list("month", flat=True)) == [D(2026, 6, 1)]


def test_deleted_transactions_leave_the_rollups(organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "100.00"), (D(2026, 5, 1), "50.00"))
    delete_transactions(organization.pk, BankTransaction.objects.filter(amount=Decimal("100.00")))
    assert daily(account.pk) == {(D(2026, 5, 1), ""): (Decimal("50.00"), Decimal("0.00"), 1)}


def test_pending_transactions_are_not_counted(organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "100.00"), status="pending")
    assert not DailyRollup.objects.exists()


def test_a_failed_write_leaves_no_rollup(organization):
    account = make_bank_account(organization)

    def interrupted_sync() -> None:
        with transaction.atomic():
            add_transactions(account, (D(2026, 5, 1), "100.00"))
            raise RuntimeError("the provider dropped the connection")

    with pytest.raises(RuntimeError):
        interrupted_sync()
    assert not DailyRollup.objects.exists()
    assert not BankTransaction.objects.exists()


def test_rebuild_command_gives_what_the_incremental_updates_gave(organization, other_organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 4, 30), "10.00"), (D(2026, 5, 1), "-5.00"), counterpart_name="A")
    add_transactions(account, (D(2026, 5, 1), "7.00"), counterpart_name="B")
    make_bank_account(other_organization)
    before_daily = daily(account.pk)
    before_monthly = sorted(CounterpartyRollup.objects.values_list("month", "counterparty", "inflow", "outflow"))
    DailyRollup.objects.all().delete()
    CounterpartyRollup.objects.all().delete()
    call_command("rebuild_dashboards", organization=organization.pk, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert daily(account.pk) == before_daily
    assert (
        sorted(CounterpartyRollup.objects.values_list("month", "counterparty", "inflow", "outflow")) == before_monthly
    )
