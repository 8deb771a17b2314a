"""Reconciliation: each kind of evidence, what waits for review, tenancy, the watermark, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from banking import pipeline, reconciliation
from banking.models import Allocation, BankAccount, BankTransaction, Evidence, Match, MatchStatus, TransactionStatus
from core.models import AuditEvent, Organization
from dashboards.models import DashboardState
from integrations.models import SyncRun
from invoices import services
from invoices.models import Client, Invoice, InvoiceStatus, Payment
from invoices.references import format_reference
from tests.factories import add_transactions, make_bank_account, make_client, make_invoice, make_lines, pay
from tests.helpers import run_concurrently

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 3, 20)
IBAN = "BE71096123456769"


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization)


@pytest.fixture
def payer(organization: Organization) -> Client:
    payer = make_client(organization)
    payer.bank_accounts.create(organization=organization, iban="BE71 0961 2345 6769")
    return payer


@pytest.fixture
def invoice(organization: Organization, payer: Client) -> Invoice:
    return make_invoice(organization, payer)  # 121.00, sent


def receive(account: BankAccount, amount: str = "121.00", **fields: Any) -> BankTransaction:
    (row,) = add_transactions(account, (DAY, amount), **fields)
    return row


def refreshed(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def settle(*rows: BankTransaction) -> None:
    """Make the rows old enough for the watermark to pass them."""
    BankTransaction.objects.filter(pk__in=[row.pk for row in rows]).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )


# --- each kind of evidence -----------------------------------------------------------------


def test_structured_reference_pays_the_invoice(organization, account, invoice):
    row = receive(
        account,
        remittance_information=format_reference(invoice.payment_reference),
        remittance_information_type="structured",
    )

    result = reconciliation.reconcile(organization.pk)

    assert result == reconciliation.ReconcileResult(applied=1, suggested=0, unmatched=0)
    match = Match.objects.get(transaction=row)
    assert (match.status, match.evidence, match.automatic) == (MatchStatus.APPLIED, Evidence.STRUCTURED_REFERENCE, True)
    assert list(match.candidates.all()) == [invoice]
    invoice = refreshed(invoice)
    assert (invoice.balance_due, invoice.status) == (D("0.00"), InvoiceStatus.PAID)
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.date, payment.method) == (D("121.00"), DAY, "bank_transfer")
    assert payment.reference == format_reference(invoice.payment_reference)
    allocation = Allocation.objects.get(match=match)
    assert (allocation.invoice, allocation.payment, allocation.amount) == (invoice, payment, D("121.00"))
    event = AuditEvent.objects.get(action="reconciliation.applied")
    assert event.target_id == str(match.pk) and event.organization_id == organization.pk


@pytest.mark.parametrize("written", ["Thanks! +++{f}+++ ok", "ref {digits}", "***{f}***"])
def test_reference_in_free_text_pays_the_invoice(organization, account, invoice, written):
    digits = invoice.payment_reference
    formatted = format_reference(digits).strip("+")
    receive(account, remittance_information=written.format(f=formatted, digits=digits))

    assert reconciliation.reconcile(organization.pk).applied == 1
    assert Match.objects.get().evidence == Evidence.STRUCTURED_REFERENCE


def test_twelve_digits_with_wrong_check_digits_are_no_reference(organization, account, invoice):
    wrong = invoice.payment_reference[:10] + f"{(int(invoice.payment_reference[10:]) % 97) + 1:02d}"
    receive(account, remittance_information=wrong)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(unmatched=1)
    assert not Match.objects.exists()


@pytest.mark.parametrize("written", ["Invoice {n}", "inv {spaced} thanks", "PAYMENT {compact}/JAN", "{slashed}"])
def test_invoice_number_in_the_text_pays_the_invoice(organization, account, invoice, written):
    number = invoice.number  # INV-2026-0001
    text = written.format(
        n=number,
        spaced=number.replace("-", " ").lower(),
        compact=number.replace("-", ""),
        slashed=number.replace("-", "/"),
    )
    receive(account, "100.00", remittance_information=text)

    assert reconciliation.reconcile(organization.pk).applied == 1
    match = Match.objects.get()
    assert (match.evidence, match.status) == (Evidence.INVOICE_NUMBER, MatchStatus.APPLIED)
    assert refreshed(invoice).balance_due == D("21.00")


def test_a_longer_number_is_not_the_invoice_number(organization, account, invoice):
    receive(account, remittance_information=f"{invoice.number}7")

    assert reconciliation.reconcile(organization.pk).unmatched == 1


def test_client_iban_and_exact_amount_pay_the_invoice(organization, account, payer, invoice):
    make_invoice(organization, payer, lines=make_lines(("1", "10.00", "0")))  # 10.00, open too
    receive(account, "121.00", counterpart_iban="be71 0961 2345 6769", remittance_information="March")

    assert reconciliation.reconcile(organization.pk).applied == 1
    match = Match.objects.get()
    assert (match.evidence, list(match.candidates.all())) == (Evidence.IBAN_AMOUNT, [invoice])
    assert refreshed(invoice).status == InvoiceStatus.PAID


def test_client_iban_without_exact_amount_waits_with_the_clients_open_invoices(organization, account, payer, invoice):
    second = make_invoice(organization, payer, lines=make_lines(("1", "10.00", "0")))
    receive(account, "50.00", counterpart_iban=IBAN)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(suggested=1)
    match = Match.objects.get()
    assert (match.status, match.evidence) == (MatchStatus.SUGGESTED, Evidence.CLIENT_IBAN)
    assert set(match.candidates.all()) == {invoice, second}
    assert "no open invoice of exactly this amount" in reconciliation.review_reason(match, [invoice, second])
    assert not Payment.objects.exists()


def test_client_iban_alone_is_never_applied_even_with_one_open_invoice(organization, account, invoice):
    receive(account, "50.00", counterpart_iban=IBAN)

    assert reconciliation.reconcile(organization.pk).suggested == 1
    assert Match.objects.get().status == MatchStatus.SUGGESTED
    assert refreshed(invoice).balance_due == D("121.00")


def test_reference_beats_number_and_iban(organization, account, payer, invoice):
    other = make_invoice(organization, payer)
    receive(
        account,
        counterpart_iban=IBAN,
        remittance_information=f"{other.number} +++{format_reference(invoice.payment_reference).strip('+')}+++",
    )

    reconciliation.reconcile(organization.pk)

    match = Match.objects.get()
    assert (match.evidence, list(match.candidates.all())) == (Evidence.STRUCTURED_REFERENCE, [invoice])


# --- what waits for review, and what is not matched -------------------------------------------


def test_two_invoice_numbers_wait_for_review(organization, account, payer, invoice):
    other = make_invoice(organization, payer)
    receive(account, "242.00", remittance_information=f"{invoice.number} and {other.number}")

    assert reconciliation.reconcile(organization.pk).suggested == 1
    match = Match.objects.get()
    assert (match.status, match.evidence) == (MatchStatus.SUGGESTED, Evidence.INVOICE_NUMBER)
    assert set(match.candidates.all()) == {invoice, other}
    assert not Payment.objects.exists()


def test_two_invoices_of_the_exact_amount_wait_for_review(organization, account, payer, invoice):
    other = make_invoice(organization, payer)
    receive(account, "121.00", counterpart_iban=IBAN)

    assert reconciliation.reconcile(organization.pk).suggested == 1
    match = Match.objects.get()
    assert (match.evidence, set(match.candidates.all())) == (Evidence.IBAN_AMOUNT, {invoice, other})


def test_more_than_the_balance_waits_for_review(organization, account, invoice):
    pay(invoice, "100.00")
    receive(account, "121.00", remittance_information=invoice.number)

    assert reconciliation.reconcile(organization.pk).suggested == 1
    match = Match.objects.get()
    assert (match.status, list(match.candidates.all())) == (MatchStatus.SUGGESTED, [invoice])
    assert "more than the open amount" in reconciliation.review_reason(match, [refreshed(invoice)])
    assert refreshed(invoice).balance_due == D("21.00")


def test_no_evidence_makes_no_match(organization, account, invoice):
    receive(account, "121.00", counterpart_iban="NL91ABNA0417164300", remittance_information="Gift")

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(unmatched=1)
    assert not Match.objects.exists()


def test_outgoing_and_pending_transactions_are_left_alone(organization, account, invoice):
    receive(account, "-121.00", remittance_information=invoice.number)
    receive(account, "121.00", remittance_information=invoice.number, status=TransactionStatus.PENDING)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult()
    assert not Match.objects.exists()


def test_paid_invoice_is_not_matched(organization, account, invoice):
    pay(invoice, "121.00")
    receive(account, "121.00", remittance_information=invoice.number, counterpart_iban=IBAN)

    assert reconciliation.reconcile(organization.pk).unmatched == 1
    assert not Match.objects.exists()


def test_a_payment_quoting_a_paid_invoice_never_pays_another_by_iban(organization, account, payer, invoice):
    # Paid by hand in the app, then the same payment arrives from the bank: the client's next
    # invoice of the same amount must not be paid with it.
    pay(invoice, "121.00")
    later = make_invoice(organization, payer)  # 121.00 again, open
    receive(
        account,
        "121.00",
        counterpart_iban=IBAN,
        remittance_information=invoice.payment_reference,
        remittance_information_type="structured",
    )
    receive(account, "121.00", counterpart_iban=IBAN)  # quoting nothing: the IBAN still pays

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(applied=1, unmatched=1)
    assert refreshed(later).balance_due == 0
    assert Match.objects.get().transaction.remittance_information == ""


def test_draft_cancelled_and_deleted_invoices_are_not_matched(organization, account, payer):
    draft = make_invoice(organization, payer, sent=False)
    cancelled = services.cancel_invoice(make_invoice(organization, payer))
    deleted = make_invoice(organization, payer)
    services.soft_delete(deleted)
    for invoice in (draft, cancelled, deleted):
        receive(account, "121.00", remittance_information=invoice.number)

    assert reconciliation.reconcile(organization.pk).unmatched == 3


def test_currency_must_be_the_invoices(organization, invoice):
    dollars = make_bank_account(organization, currency="USD", iban="BE62510007547061")
    receive(dollars, "121.00", remittance_information=invoice.number)

    assert reconciliation.reconcile(organization.pk).unmatched == 1
    assert not Payment.objects.exists()


def test_other_organizations_invoice_is_never_matched(organization, other_organization, account):
    theirs_client = make_client(other_organization)
    theirs_client.bank_accounts.create(organization=other_organization, iban=IBAN)
    theirs = make_invoice(other_organization, theirs_client)
    receive(
        account,
        "121.00",
        counterpart_iban=IBAN,
        remittance_information=f"{theirs.number} {format_reference(theirs.payment_reference)}",
    )

    assert reconciliation.reconcile(organization.pk).unmatched == 1
    assert reconciliation.reconcile(other_organization.pk) == reconciliation.ReconcileResult()
    assert not Match.objects.exists()
    assert refreshed(theirs).balance_due == D("121.00")


def test_a_later_transaction_sees_the_balance_an_earlier_one_left(organization, account, invoice):
    receive(account, "100.00", remittance_information=invoice.number)
    receive(account, "100.00", remittance_information=invoice.number)
    receive(account, "21.00", remittance_information=invoice.number)

    result = reconciliation.reconcile(organization.pk)

    assert result == reconciliation.ReconcileResult(applied=2, suggested=1)
    first, second, third = Match.objects.order_by("transaction_id")
    assert (first.status, second.status, third.status) == (
        MatchStatus.APPLIED,
        MatchStatus.SUGGESTED,
        MatchStatus.APPLIED,
    )
    assert refreshed(invoice).balance_due == D("0.00")


def test_paying_an_invoice_in_full_ends_its_matching_by_iban(organization, account, payer, invoice):
    receive(account, "121.00", counterpart_iban=IBAN)
    receive(account, "121.00", counterpart_iban=IBAN)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(applied=1, unmatched=1)


def test_a_finished_sync_reconciles(organization, account, invoice):
    receive(account, remittance_information=invoice.number)
    run = SyncRun.objects.create(connection=account.connection)

    pipeline.after_sync(account.connection, run)

    assert Match.objects.get().status == MatchStatus.APPLIED
    assert refreshed(invoice).status == InvoiceStatus.PAID


# --- the watermark -------------------------------------------------------------------------


def test_running_twice_changes_nothing(organization, account, payer, invoice):
    make_invoice(organization, payer)
    receive(account, "121.00", remittance_information=invoice.number)
    receive(account, "5.00", counterpart_iban=IBAN)
    receive(account, "7.00", remittance_information="nothing")
    reconciliation.reconcile(organization.pk)
    matches = list(Match.objects.values_list("pk", "status"))
    payments = Payment.objects.count()

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(unmatched=1)
    assert list(Match.objects.values_list("pk", "status")) == matches
    assert Payment.objects.count() == payments


def test_watermark_passes_settled_transactions_only(organization, account, invoice):
    old = receive(account, "1.00", remittance_information="nothing")
    settle(old)
    fresh = receive(account, "2.00", remittance_information="nothing")

    reconciliation.reconcile(organization.pk)

    assert DashboardState.objects.get(organization=organization).reconciled_through_id == old.pk
    settle(fresh)
    reconciliation.reconcile(organization.pk)
    assert DashboardState.objects.get(organization=organization).reconciled_through_id == fresh.pk


def test_transactions_below_the_watermark_are_not_looked_at_again(organization, account, payer):
    row = receive(account, "121.00", remittance_information="INV-2026-0001")
    settle(row)
    assert reconciliation.reconcile(organization.pk).unmatched == 1
    make_invoice(organization, payer)  # INV-2026-0001 exists only now

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult()
    assert not Match.objects.exists()


def test_a_young_unmatched_transaction_is_looked_at_again(organization, account, payer):
    receive(account, "121.00", remittance_information="INV-2026-0001")
    assert reconciliation.reconcile(organization.pk).unmatched == 1
    invoice = make_invoice(organization, payer)

    assert reconciliation.reconcile(organization.pk).applied == 1
    assert refreshed(invoice).status == InvoiceStatus.PAID


def test_rejected_transaction_is_never_matched_again(organization, account, payer, invoice):
    receive(account, "50.00", counterpart_iban=IBAN)
    reconciliation.reconcile(organization.pk)
    reconciliation.reject(Match.objects.get(), actor=None)
    DashboardState.objects.filter(organization=organization).update(reconciled_through_id=0)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult()
    assert Match.objects.get().status == MatchStatus.REJECTED


def test_batches_cover_every_transaction(organization, account, payer, invoice, monkeypatch):
    monkeypatch.setattr(reconciliation, "BATCH_SIZE", 2)
    rows = add_transactions(account, *[(DAY, "1.00")] * 5, counterpart_iban=IBAN)
    settle(*rows)

    assert reconciliation.reconcile(organization.pk) == reconciliation.ReconcileResult(applied=0, suggested=5)
    assert DashboardState.objects.get(organization=organization).reconciled_through_id == rows[-1].pk


# --- cost ----------------------------------------------------------------------------------


def _open_invoices(organization: Organization, payer: Client, count: int) -> list[Invoice]:
    return [make_invoice(organization, payer, lines=make_lines(("1", f"{n + 1}00.00", "0"))) for n in range(count)]


@pytest.mark.parametrize("count", [3, 40])
def test_query_count_does_not_grow_with_transactions_to_review(
    organization, account, payer, count, django_assert_max_num_queries
):
    invoices = _open_invoices(organization, payer, 3)
    for n in range(count):
        if n % 2:
            receive(account, "1.00", counterpart_iban=IBAN)  # the client's IBAN: review
        else:
            receive(account, "1.00", remittance_information=f"{invoices[0].number} {invoices[1].number}")
    receive(account, "1.00", remittance_information="nothing known")

    # 15: one more than before for remembering which accounts were read (a fixed cost).
    with django_assert_max_num_queries(15):
        result = reconciliation.reconcile(organization.pk)

    assert result == reconciliation.ReconcileResult(suggested=count, unmatched=1)


@pytest.mark.parametrize("count", [2, 10])
def test_query_count_of_automatic_payments_is_a_fixed_cost_each(
    organization, account, payer, count, django_assert_max_num_queries
):
    invoices = _open_invoices(organization, payer, count)
    for invoice in invoices:
        receive(account, str(invoice.balance_due), remittance_information=invoice.number)

    with django_assert_max_num_queries(12 + 17 * count):
        result = reconciliation.reconcile(organization.pk)

    assert result == reconciliation.ReconcileResult(applied=count)


# --- concurrency (real row locks) --------------------------------------------------------------

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs this leg"
)


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_confirms_pay_once(organization, account, payer, invoice):
    receive(account, "50.00", counterpart_iban=IBAN)
    reconciliation.reconcile(organization.pk)
    match = Match.objects.get()

    results, errors = run_concurrently(5, lambda n: reconciliation.confirm(match, invoice, actor=None))

    assert len(results) == 1 and len(errors) == 4
    assert all(isinstance(e, ValidationError) for e in errors)
    assert Payment.objects.count() == 1
    assert refreshed(invoice).balance_due == D("71.00")


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_runs_decide_each_transaction_once(organization, account, payer, invoice):
    receive(account, "21.00", remittance_information=invoice.number)
    receive(account, "50.00", counterpart_iban=IBAN)

    results, errors = run_concurrently(4, lambda n: reconciliation.reconcile(organization.pk))

    assert errors == []
    assert sum(r.applied for r in results) == 1 and sum(r.suggested for r in results) == 1
    assert Match.objects.count() == 2 and Payment.objects.count() == 1
