"""Recurring flows found in bank history: cadence, typical amount, next date, and what is left out."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from banking import pipeline, recurring
from banking.models import BankAccount, Bill, RecurringFlow
from core.models import Organization
from integrations.models import Provider, SyncRun
from invoices.models import ClientBankAccount
from tests.factories import add_transactions, make_bank_account, make_client, make_connection

TODAY = datetime.date(2026, 4, 15)  # a Wednesday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization, "10000.00", on=TODAY)


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def flows(organization: Organization) -> dict[str, RecurringFlow]:
    return {flow.counterparty: flow for flow in RecurringFlow.objects.filter(organization=organization)}


def test_monthly_salary_is_found_with_its_amount_and_next_date(organization, account):
    add_transactions(
        account,
        (d(12, 24, 2025), "-2500.00"),
        (d(1, 23), "-2500.00"),
        (d(2, 25), "-2480.00"),
        (d(3, 25), "-2500.00"),
        counterpart_name="Payroll Services",
    )

    assert recurring.detect(organization.pk) == 1

    salary = flows(organization)["Payroll Services"]
    assert salary.amount == Decimal("-2500.00")  # the median of the four
    assert salary.interval_days == 30
    assert salary.occurrences == 4
    assert salary.last_date == d(3, 25)
    assert salary.next_date == d(4, 25)  # a calendar month later
    assert salary.currency == "EUR"


def test_the_typical_amount_is_the_exact_median_rounded_as_money(organization, account):
    # Daily totals 884.74 (two payments), 709.65, 884.74, 709.65: the median is exactly 797.195,
    # which rounds half up to 797.20; summed and halved as floats it came out as 797.19.
    add_transactions(
        account,
        (d(12, 20, 2025), "33.36"),
        (d(12, 20, 2025), "851.38"),
        (d(1, 20), "709.65"),
        (d(2, 20), "33.36"),
        (d(2, 20), "851.38"),
        (d(3, 20), "709.65"),
        counterpart_name="Tenant BV",
    )

    recurring.detect(organization.pk)

    rent = flows(organization)["Tenant BV"]
    assert (rent.amount, rent.occurrences) == (Decimal("797.20"), 4)


def test_weekly_subscription_is_found(organization, account):
    thursdays = [d(3, 19), d(3, 26), d(4, 2), d(4, 9)]
    add_transactions(account, *[(day, "-49.99") for day in thursdays], counterpart_name="CloudCo")

    recurring.detect(organization.pk)

    subscription = flows(organization)["CloudCo"]
    assert (subscription.amount, subscription.interval_days, subscription.next_date) == (Decimal("-49.99"), 7, d(4, 16))
    assert subscription.dates_until(d(4, 30), d(4, 16)) == [d(4, 16), d(4, 23), d(4, 30)]


def test_fortnightly_and_quarterly_flows_are_found(organization, account):
    add_transactions(
        account,
        *[(d(2, 5) + datetime.timedelta(days=14 * n), "-300.00") for n in range(5)],
        counterpart_name="Cleaning BV",
    )
    add_transactions(
        account,
        (d(4, 10, 2025), "-1200.00"),
        (d(7, 10, 2025), "-1200.00"),
        (d(10, 10, 2025), "-1200.00"),
        (d(1, 12), "-1210.00"),
        (d(4, 10), "-1200.00"),
        counterpart_name="Tax Office",
    )

    recurring.detect(organization.pk)

    found = flows(organization)
    assert (found["Cleaning BV"].interval_days, found["Cleaning BV"].next_date) == (14, d(4, 16))
    assert (found["Tax Office"].interval_days, found["Tax Office"].next_date) == (91, d(7, 10))


def test_income_is_found_with_a_positive_amount(organization, account):
    add_transactions(
        account,
        (d(1, 1), "800.00"),
        (d(2, 1), "800.00"),
        (d(3, 2), "800.00"),
        (d(4, 1), "800.00"),
        counterpart_name="Sublet BV",
    )

    recurring.detect(organization.pk)

    rent = flows(organization)["Sublet BV"]
    assert (rent.amount, rent.next_date) == (Decimal("800.00"), d(5, 1))


def test_irregular_intervals_are_not_recurring(organization, account):
    add_transactions(
        account,
        # gaps of 30, 10, 50, 30 and 5 days: the median is a month, but most gaps are far from it
        *[(day, "-75.00") for day in (d(12, 1, 2025), d(12, 31, 2025), d(1, 10), d(3, 1), d(3, 31), d(4, 5))],
        counterpart_name="Hardware Store",
    )

    assert recurring.detect(organization.pk) == 0


def test_wildly_varying_amounts_are_not_recurring(organization, account):
    add_transactions(
        account,
        (d(1, 10), "-100.00"),
        (d(2, 10), "-900.00"),
        (d(3, 10), "-40.00"),
        (d(4, 10), "-300.00"),
        counterpart_name="Consultant",
    )

    assert recurring.detect(organization.pk) == 0


def test_a_stopped_flow_is_not_recurring(organization, account):
    add_transactions(
        account,
        *[(d(month, 5, 2025), "-99.00") for month in range(6, 12)],  # monthly until November, then nothing
        counterpart_name="Old Lease",
    )

    assert recurring.detect(organization.pk) == 0


def test_two_occurrences_are_not_enough(organization, account):
    add_transactions(account, (d(3, 1), "-20.00"), (d(4, 1), "-20.00"), counterpart_name="New Tool")

    assert recurring.detect(organization.pk) == 0


def test_flows_the_forecast_counts_elsewhere_are_left_out(organization, account):
    dupont = make_client(organization, name="Brasserie Dupont")
    ClientBankAccount.objects.create(organization=organization, client=dupont, iban="BE71 0961 2345 6769")
    yuki = make_connection(organization, provider=Provider.YUKI, display_name="Yuki")
    Bill.objects.create(
        organization=organization,
        connection=yuki,
        external_id="b1",
        supplier="Office Rent NV",
        due_date=d(5, 1),
        open_amount=Decimal("1500.00"),
    )
    savings = make_bank_account(organization, iban="BE43068999999501", name="Savings")
    months = [d(1, 5), d(2, 5), d(3, 5), d(4, 5)]
    add_transactions(account, *[(day, "1210.00") for day in months], counterpart_name="BRASSERIE DUPONT ")
    add_transactions(
        account,
        *[(day, "605.00") for day in months],
        counterpart_name="Dupont SPRL",
        counterpart_iban="BE71096123456769",
    )
    add_transactions(account, *[(day, "-1500.00") for day in months], counterpart_name="Office Rent NV")
    add_transactions(
        account, *[(day, "-1000.00") for day in months], counterpart_name="Own savings", counterpart_iban=savings.iban
    )
    add_transactions(account, *[(day, "-45.00") for day in months], counterpart_name="Telecom")

    assert recurring.detect(organization.pk) == 1
    assert list(flows(organization)) == ["Telecom"]


def test_a_client_refund_is_still_found_as_money_out(organization, account):
    """Only money in from a client is expected through its invoices; a regular payment to it is not."""
    make_client(organization, name="Brasserie Dupont")
    add_transactions(account, *[(d(m, 5), "-30.00") for m in (1, 2, 3, 4)], counterpart_name="Brasserie Dupont")

    assert recurring.detect(organization.pk) == 1


def test_excluded_accounts_and_pending_transactions_are_not_read(organization, account):
    hidden = make_bank_account(organization, included=False, iban="BE02000000000001")
    add_transactions(hidden, *[(d(m, 5), "-30.00") for m in (1, 2, 3, 4)], counterpart_name="Hidden")
    add_transactions(
        account, *[(d(m, 5), "-30.00") for m in (1, 2, 3, 4)], counterpart_name="Pending", status="pending"
    )

    assert recurring.detect(organization.pk) == 0


def test_detection_replaces_the_flows_of_its_organisation_only(organization, other_organization, account):
    RecurringFlow.objects.create(
        organization=organization,
        counterparty="Gone",
        currency="EUR",
        amount=Decimal("-1.00"),
        interval_days=7,
        occurrences=3,
        last_date=d(1, 1),
        next_date=d(1, 8),
    )
    theirs = RecurringFlow.objects.create(
        organization=other_organization,
        counterparty="Theirs",
        currency="EUR",
        amount=Decimal("-1.00"),
        interval_days=7,
        occurrences=3,
        last_date=d(4, 8),
        next_date=d(4, 15),
    )
    add_transactions(account, *[(d(m, 5), "-45.00") for m in (1, 2, 3, 4)], counterpart_name="Telecom")

    recurring.detect(organization.pk)
    recurring.detect(organization.pk)

    assert list(flows(organization)) == ["Telecom"]
    assert RecurringFlow.objects.filter(pk=theirs.pk).exists()


def test_every_sync_detects_the_flows(organization, account):
    add_transactions(account, *[(d(m, 5), "-45.00") for m in (1, 2, 3, 4)], counterpart_name="Telecom")

    pipeline.after_sync(account.connection, SyncRun.objects.create(connection=account.connection))

    assert list(flows(organization)) == ["Telecom"]


def test_monthly_dates_keep_the_day_of_the_month():
    flow = RecurringFlow(interval_days=30, last_date=d(1, 31), next_date=d(2, 28))

    assert flow.dates_until(d(5, 31), d(2, 1)) == [d(2, 28), d(3, 31), d(4, 30), d(5, 31)]
    assert flow.dates_until(d(5, 31), d(4, 1)) == [d(4, 30), d(5, 31)]
