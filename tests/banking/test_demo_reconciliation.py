"""`make run`'s first reconciliation: the demo organisation, billing and rules seeded as the Makefile
seeds them, the Ponto sandbox started as `manage.py sandbox` starts it, linked and synced. Every
match pairs a payment with the invoices it quotes, for the amount they owe (but the one deliberate
instalment), dated after them; the payer nobody knows is left alone; the review shows the pairs."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.fixtures import Settings

from banking.models import BankTransaction, Match, MatchStatus
from core.formatting import format_money
from core.management.commands.seed_demo import DEMO_EMAIL, DEMO_ORGANIZATION
from core.models import Organization, User
from integrations.models import SyncStatus
from integrations.runner import run_sync
from invoices.demo import UNKNOWN_PAYER, DemoBankPayment, bank_payment_records, demo_bank_payments, demo_invoices
from invoices.models import Invoice
from sandboxes.ponto import PontoSandbox
from sandboxes.ponto import demo as sandbox_demo
from sandboxes.ponto.records import CustomerPayment
from tests.integrations.ponto.conftest import link_ponto

pytestmark = pytest.mark.django_db

MAKE_RUN_COMMANDS = ("seed_demo", "seed_demo_billing", "seed_demo_rules")
_ROW = re.compile(r'<tr data-testid="(match-row|applied-row)">(.*?)</tr>', re.S)


@pytest.fixture
def sandbox_size() -> int:
    return 1500  # `manage.py sandbox --transactions`' default, as `make run` starts it


@pytest.fixture
def customer_payments() -> list[CustomerPayment]:
    """What `manage.py sandbox` gives the Ponto sandbox."""
    # Through JSON, as make run hands them to the sandbox (manage.py sandbox --customer-payments).
    records = json.loads(json.dumps(bank_payment_records(demo_bank_payments(timezone.localdate()))))
    return sandbox_demo.customer_payments(records)


@pytest.fixture
def demo(settings: Settings) -> Organization:
    settings.DEBUG = True  # the seed commands refuse to run without it
    for command in MAKE_RUN_COMMANDS:
        call_command(command, stdout=io.StringIO())
    return Organization.objects.get(name=DEMO_ORGANIZATION)


@pytest.fixture
def owed_before_the_sync(demo: Organization) -> dict[str, Decimal]:
    return dict(Invoice.objects.filter(organization=demo).values_list("number", "balance_due"))


@pytest.fixture
def reconciled(demo: Organization, owed_before_the_sync: dict[str, Decimal], client: Client, ponto: PontoSandbox):
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    run = run_sync(link_ponto(client).pk)
    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert not run.after_sync_failures
    return demo


def transaction_of(organization: Organization, payment: DemoBankPayment) -> BankTransaction:
    return BankTransaction.objects.get(
        organization=organization, amount=payment.amount, remittance_information=payment.remittance
    )


def test_the_plan_is_what_seed_billing_made(demo: Organization):
    invoices = {invoice.number: invoice for invoice in Invoice.objects.filter(organization=demo)}
    plan = demo_invoices(timezone.localdate())

    assert sorted(invoices) == sorted(planned.number for planned in plan)
    for planned in plan:
        invoice = invoices[planned.number]
        assert (invoice.client.name, invoice.issue_date) == (planned.client_name, planned.issue_date)
        assert (invoice.payment_reference, invoice.total) == (planned.reference, planned.total)


@pytest.mark.parametrize("today", [datetime.date(2026, 12, 28) + datetime.timedelta(days=n) for n in range(14)])
def test_the_bank_pays_open_invoices_after_their_date_before_the_sandboxs_last_day(today: datetime.date):
    """Any day of the week, across a new year (when the plan numbers invoices in two years)."""
    for payment in demo_bank_payments(today):
        # The sandbox books up to yesterday in UTC, the day before yesterday here just after midnight.
        assert payment.day <= today - datetime.timedelta(days=2) and payment.day.weekday() < 5
        assert all(payment.day >= invoice.issue_date for invoice in payment.pays)
        assert all(payment.day > (invoice.half_paid_on or invoice.issue_date) for invoice in payment.pays[:1])
        assert all(not invoice.is_draft and invoice.paid_in_full_on is None for invoice in payment.pays)


def test_every_match_pairs_a_payment_with_the_invoices_it_quotes_and_none_predates_them(
    reconciled: Organization, owed_before_the_sync: dict[str, Decimal]
):
    payments = demo_bank_payments(timezone.localdate())
    assert sum(1 for payment in payments if payment.instalment) == 1
    # Nothing else of the sandbox's two years of bookings is matched to a demo invoice.
    matches = Match.objects.filter(organization=reconciled).select_related("transaction")
    assert matches.count() == sum(1 for payment in payments if payment.pays)
    for match in matches:
        booked = match.transaction.execution_date
        assert booked is not None
        assert all(booked >= issued for issued in match.candidates.values_list("issue_date", flat=True))

    for payment in payments:
        row = transaction_of(reconciled, payment)
        assert row.execution_date == payment.day and row.counterpart_name == payment.payer
        if not payment.pays:
            assert payment.payer == UNKNOWN_PAYER and not Match.objects.filter(transaction=row).exists()
            continue
        match = Match.objects.get(transaction=row)
        quoted = sorted(invoice.number for invoice in payment.pays)
        assert sorted(match.candidates.values_list("number", flat=True)) == quoted
        owed = sum((owed_before_the_sync[number] for number in quoted), Decimal(0))
        if payment.instalment:
            assert Decimal(0) < payment.amount < owed
        else:
            assert payment.amount == owed
        if len(quoted) == 1:
            assert (match.status, match.automatic) == (MatchStatus.APPLIED, True)
            assert list(match.allocations.values_list("invoice__number", "amount")) == [(quoted[0], payment.amount)]
        else:  # one transfer for two invoices: a person splits it
            assert (match.status, match.automatic) == (MatchStatus.SUGGESTED, False)


def test_the_reviews_first_screen_shows_the_pairs(reconciled: Organization, client: Client):
    with translation.override("en"):
        page = client.get(reverse("banking:reconciliation"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        rows = [(kind, text) for kind, text in _ROW.findall(page)]
        for payment in demo_bank_payments(timezone.localdate()):
            if not payment.pays:
                assert payment.payer not in page
                continue
            received = format_money(payment.amount, "EUR")
            kind = "applied-row" if len(payment.pays) == 1 else "match-row"
            shown = [text for row_kind, text in rows if row_kind == kind and received in text]
            assert len(shown) == 1, (payment, rows)
            assert all(invoice.number in shown[0] for invoice in payment.pays)
    assert len(rows) == sum(1 for payment in demo_bank_payments(timezone.localdate()) if payment.pays)
