"""Billing services: totals to the cent, transitions with reasons, audit with before/after."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent, Organization, User
from invoices import services
from invoices.balances import client_balances, statement
from invoices.models import Challan, Invoice, InvoiceStatus, Payment
from tests.factories import make_client, make_invoice, make_lines, pay

D = Decimal
MARCH = datetime.date(2026, 3, 2)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.all_objects.get(pk=invoice.pk)


@pytest.mark.django_db
def test_line_amounts_are_rounded_once_half_up_per_line(organization: Organization):
    # 1.005 x 1.00 = 1.005 → 1.01 (half-up); VAT 21 % of the exact 1.005 = 0.21105 → 0.21.
    # 0.5 x 0.25 = 0.125 → 0.13; VAT 6 % of the exact 0.125 = 0.0075 → 0.01.
    invoice = make_invoice(organization, lines=make_lines(("1.005", "1.00", "21"), ("0.5", "0.25", "6")), sent=False)

    items = list(invoice.items.order_by("position"))
    assert [(i.net_amount, i.vat_amount, i.gross_amount) for i in items] == [
        (D("1.01"), D("0.21"), D("1.22")),
        (D("0.13"), D("0.01"), D("0.14")),
    ]
    assert (invoice.subtotal, invoice.vat_total, invoice.total) == (D("1.14"), D("0.22"), D("1.36"))


@pytest.mark.django_db
def test_numbers_are_consecutive_per_series_and_year(organization: Organization, other_organization: Organization):
    client = make_client(organization)
    numbers = [make_invoice(organization, client, sent=False).number for _ in range(3)]
    next_year = make_invoice(organization, client, issue_date=datetime.date(2027, 1, 4), sent=False)
    elsewhere = make_invoice(other_organization, sent=False)

    assert numbers == ["INV-2026-0001", "INV-2026-0002", "INV-2026-0003"]
    assert next_year.number == "INV-2027-0001"
    assert elsewhere.number == "INV-2026-0001"


@pytest.mark.django_db
def test_invoice_gets_a_valid_unique_structured_reference(organization: Organization):
    first, second = make_invoice(organization, sent=False), make_invoice(organization, sent=False)

    assert first.payment_reference != second.payment_reference
    assert first.formatted_reference == "+++202/6000/00192+++"  # 2026000001 % 97 == 92


@pytest.mark.django_db
def test_due_date_defaults_to_the_clients_terms(organization: Organization):
    invoice = make_invoice(organization, make_client(organization, payment_terms_days=14), sent=False)
    assert invoice.due_date == MARCH + datetime.timedelta(days=14)


@pytest.mark.django_db
def test_due_date_before_issue_date_is_refused(organization: Organization):
    with pytest.raises(ValidationError, match="due date cannot be before"):
        make_invoice(organization, due_date=MARCH - datetime.timedelta(days=1), sent=False)
    assert not Invoice.all_objects.exists()


@pytest.mark.django_db
def test_creating_is_audited_with_the_new_values(organization: Organization, owner: User):
    invoice = services.create_invoice(
        organization=organization,
        client=make_client(organization),
        lines=make_lines(("1", "100", "21")),
        issue_date=MARCH,
        actor=owner,
    )

    event = AuditEvent.objects.get(action="invoice.created")
    assert event.actor == owner
    assert event.after["number"] == invoice.number
    assert event.after["total"] == "121.00"


@pytest.mark.django_db
def test_only_drafts_can_be_edited_and_edits_record_before_and_after(organization: Organization):
    draft = make_invoice(organization, sent=False)
    updated = services.update_invoice(
        draft,
        client=draft.client,
        lines=make_lines(("1", "10.00", "21")),
        issue_date=MARCH,
        due_date=MARCH,
        currency="EUR",
    )
    event = AuditEvent.objects.get(action="invoice.updated")

    assert updated.total == D("12.10")
    assert (event.before["total"], event.after["total"]) == ("121.00", "12.10")
    services.send_invoice(updated, email=False)
    with pytest.raises(ValidationError, match="Only a draft can be edited"):
        services.update_invoice(
            updated,
            client=draft.client,
            lines=make_lines(("1", "1", "21")),
            issue_date=MARCH,
            due_date=MARCH,
            currency="EUR",
        )


@pytest.mark.django_db
def test_partial_then_full_payment_moves_the_status(organization: Organization):
    invoice = make_invoice(organization)
    assert invoice.status == InvoiceStatus.SENT

    pay(invoice, "21.00", on=MARCH)
    assert (fresh(invoice).status, fresh(invoice).balance_due) == (InvoiceStatus.PARTIALLY_PAID, D("100.00"))
    assert fresh(invoice).paid_on is None
    pay(invoice, "100.00", on=MARCH + datetime.timedelta(days=3))
    assert (fresh(invoice).status, fresh(invoice).balance_due) == (InvoiceStatus.PAID, D("0.00"))
    assert fresh(invoice).paid_on == MARCH + datetime.timedelta(days=3)  # the last payment's date


@pytest.mark.django_db
def test_payment_above_the_balance_is_refused_unless_an_overpayment(organization: Organization):
    invoice = make_invoice(organization)

    with pytest.raises(ValidationError, match="more than the balance due"):
        pay(invoice, "121.01", on=MARCH)
    assert not Payment.objects.exists()
    pay(invoice, "150.00", on=MARCH, is_overpayment=True)
    assert fresh(invoice).balance_due == D("-29.00")
    assert client_balances(invoice.client) == {"EUR": D("-29.00")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "message"),
    [("cancel", "is cancelled"), ("draft", "still a draft"), ("currency", "is in USD but the invoice is in EUR")],
)
def test_payments_that_make_no_sense_are_refused(organization: Organization, setup: str, message: str):
    invoice = make_invoice(organization, sent=setup != "draft")
    if setup == "cancel":
        services.cancel_invoice(invoice)
    with pytest.raises(ValidationError, match=message):
        services.record_payment(
            organization=organization,
            client=invoice.client,
            invoice=invoice,
            amount=D("10"),
            date=MARCH,
            currency="USD" if setup == "currency" else "EUR",
        )


@pytest.mark.django_db
def test_credit_note_reduces_the_balance_and_cannot_exceed_it(organization: Organization):
    invoice = make_invoice(organization)
    pay(invoice, "100.00", on=MARCH)

    with pytest.raises(ValidationError, match="more than the open amount"):
        services.issue_credit_note(invoice, lines=make_lines(("1", "20.00", "21")), issue_date=MARCH)
    note = services.issue_credit_note(
        invoice, lines=make_lines(("1", "10.00", "21")), issue_date=MARCH, reason="Return"
    )

    assert (note.number, note.total) == ("CN-2026-0001", D("12.10"))
    assert fresh(invoice).balance_due == D("8.90")
    assert fresh(invoice).amount_credited == D("12.10")


@pytest.mark.django_db
def test_cancel_is_refused_once_paid(organization: Organization):
    invoice = make_invoice(organization)
    pay(invoice, "1.00", on=MARCH)
    with pytest.raises(ValidationError, match="has payments or credit notes"):
        services.cancel_invoice(invoice)


@pytest.mark.django_db
def test_soft_deleted_payment_is_hidden_restorable_and_moves_the_balance(organization: Organization, owner: User):
    invoice = make_invoice(organization)
    payment = pay(invoice, "21.00", on=MARCH)

    services.soft_delete(payment, actor=owner)
    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert fresh(invoice).balance_due == D("121.00")
    assert fresh(invoice).status == InvoiceStatus.SENT
    services.restore(payment, actor=owner)
    assert fresh(invoice).balance_due == D("100.00")
    actions = list(AuditEvent.objects.filter(target_type="invoices.payment").values_list("action", flat=True))
    assert actions == ["payment.restored", "payment.deleted", "payment.recorded"]


@pytest.mark.django_db
def test_deleting_the_settling_payment_forgets_the_paid_date(organization: Organization, owner: User):
    invoice = make_invoice(organization)
    pay(invoice, "21.00", on=MARCH)
    settling = pay(invoice, "100.00", on=MARCH + datetime.timedelta(days=1))
    assert fresh(invoice).paid_on == MARCH + datetime.timedelta(days=1)

    services.soft_delete(settling, actor=owner)
    assert fresh(invoice).paid_on is None
    services.restore(settling, actor=owner)
    assert fresh(invoice).paid_on == MARCH + datetime.timedelta(days=1)


@pytest.mark.django_db
def test_restoring_a_payment_that_would_now_overpay_is_refused(organization: Organization):
    invoice = make_invoice(organization)
    first = pay(invoice, "100.00", on=MARCH)
    services.soft_delete(first)
    pay(invoice, "121.00", on=MARCH)

    with pytest.raises(ValidationError, match="more than the balance due"):
        services.restore(first)


@pytest.mark.django_db
def test_an_invoice_with_payments_cannot_be_deleted(organization: Organization):
    invoice = make_invoice(organization)
    pay(invoice, "1.00", on=MARCH)
    with pytest.raises(ValidationError, match="delete those first"):
        services.soft_delete(invoice)


@pytest.mark.django_db
def test_deleted_invoice_disappears_from_lists_and_balances(organization: Organization):
    invoice = make_invoice(organization)
    services.soft_delete(invoice)

    assert not Invoice.objects.exists()
    assert Invoice.all_objects.deleted().get() == invoice
    assert client_balances(invoice.client) == {"EUR": D("0.00")}


@pytest.mark.django_db
def test_duplicate_is_a_new_draft_with_the_same_lines(organization: Organization):
    original = make_invoice(organization, lines=make_lines(("2", "10.00", "21"), ("1", "5.00", "6")))
    copy = services.duplicate_invoice(original)

    assert copy.status == InvoiceStatus.DRAFT
    assert copy.number != original.number
    assert copy.total == original.total
    assert [i.description for i in copy.items.all()] == [i.description for i in original.items.all()]


@pytest.mark.django_db
def test_challan_becomes_an_invoice_once(organization: Organization):
    challan = services.create_challan(
        organization=organization,
        client=make_client(organization),
        lines=make_lines(("4", "12.50", "21")),
        date=MARCH,
    )
    invoice = services.convert_challan_to_invoice(challan, issue_date=MARCH)

    assert challan.number == "DN-2026-0001"
    assert invoice.total == D("60.50")
    assert Challan.objects.get(pk=challan.pk).invoice == invoice
    assert challan.number in invoice.notes
    with pytest.raises(ValidationError, match="already been invoiced"):
        services.convert_challan_to_invoice(challan)


@pytest.mark.django_db
def test_statement_runs_the_balance_through_every_movement(organization: Organization):
    client = make_client(organization, opening_balance=D("50.00"))
    invoice = make_invoice(organization, client)
    pay(invoice, "21.00", on=MARCH)
    services.record_payment(organization=organization, client=client, amount=D("30.00"), date=MARCH, currency="EUR")
    services.issue_credit_note(invoice, lines=make_lines(("1", "10.00", "21")), issue_date=MARCH)

    movements = statement(client).movements

    assert [(m.kind, m.debit, m.credit, m.balance) for m in movements] == [
        ("invoice", D("121.00"), D("0.00"), D("171.00")),
        ("credit_note", D("0.00"), D("12.10"), D("158.90")),
        ("payment", D("0.00"), D("21.00"), D("137.90")),
        ("payment", D("0.00"), D("30.00"), D("107.90")),
    ]
    assert client_balances(client) == {"EUR": D("107.90")}
    assert movements[-1].description == "General payment"


@pytest.mark.django_db
def test_a_client_of_another_organization_cannot_be_invoiced(
    organization: Organization, other_organization: Organization
):
    with pytest.raises(ValidationError, match="does not belong"):
        make_invoice(organization, make_client(other_organization), sent=False)


@pytest.mark.django_db
def test_prices_with_more_than_two_decimals_are_refused(organization: Organization):
    with pytest.raises(ValidationError, match="at most two decimals"):
        make_invoice(organization, lines=make_lines(("1", "0.335", "21")), sent=False)
