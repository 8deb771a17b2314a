"""Invoices mirrored from the bookkeeping follow its open amount, without duplicates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.models import Organization
from invoices.balances import client_balances
from invoices.models import Invoice, InvoiceStatus, Payment
from invoices.services.imports import ImportedInvoice, mirror_invoice
from tests.factories import make_client, make_invoice

D = Decimal


def yuki_invoice(open_amount: str, **changes: object) -> ImportedInvoice:
    fields: dict[str, object] = {
        "source": "yuki",
        "external_id": "ef1a1588-0001",
        "number": "VF-0001",
        "description": "Consulting",
        "issue_date": datetime.date(2026, 1, 31),
        "due_date": datetime.date(2026, 3, 2),
        "currency": "EUR",
        "total": D("121.00"),
        "open_amount": D(open_amount),
    }
    return ImportedInvoice(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_mirror_follows_the_open_amount_and_is_never_duplicated(organization: Organization):
    client = make_client(organization)

    first, created, _ = mirror_invoice(organization, client, yuki_invoice("121.00"))
    again, created_again, changed = mirror_invoice(organization, client, yuki_invoice("21.00"))
    _, _, changed_again = mirror_invoice(organization, client, yuki_invoice("21.00"))

    assert (created, created_again, changed, changed_again) == (True, False, True, False)
    assert first.pk == again.pk
    assert (again.total, again.balance_due, again.status) == (D("121.00"), D("21.00"), InvoiceStatus.PARTIALLY_PAID)
    assert Payment.objects.get(invoice=again).amount == D("100.00")
    paid, _, _ = mirror_invoice(organization, client, yuki_invoice("0.00"))
    assert (paid.status, paid.balance_due) == (InvoiceStatus.PAID, D("0.00"))
    assert client_balances(client) == {"EUR": D("0.00")}


@pytest.mark.django_db
def test_a_number_already_used_here_gets_a_suffix(organization: Organization):
    ours = make_invoice(organization)
    mirrored, _, _ = mirror_invoice(organization, make_client(organization), yuki_invoice("10.00", number=ours.number))

    assert mirrored.number == f"{ours.number} (yuki 1)"
    assert Invoice.objects.count() == 2
    assert mirrored.payment_reference == ""


@pytest.mark.django_db
def test_every_mirrored_field_follows_and_the_change_is_audited(organization: Organization):
    from core.models import AuditEvent

    client, other = make_client(organization), make_client(organization, name="Other client")
    mirror_invoice(organization, client, yuki_invoice("121.00"))

    moved = yuki_invoice(
        "21.00",
        number="VF-0001-B",
        description="Consulting, corrected",
        issue_date=datetime.date(2026, 1, 30),
        due_date=datetime.date(2026, 4, 30),
        total=D("242.00"),
    )
    invoice, created, changed = mirror_invoice(organization, other, moved)

    assert (created, changed) == (False, True)
    assert (invoice.number, invoice.issue_date, invoice.due_date, invoice.notes, invoice.client_id) == (
        "VF-0001-B",
        datetime.date(2026, 1, 30),
        datetime.date(2026, 4, 30),
        "Consulting, corrected",
        other.pk,
    )
    assert (invoice.total, invoice.balance_due) == (D("242.00"), D("21.00"))
    assert Payment.objects.get(invoice=invoice).client_id == other.pk
    event = AuditEvent.objects.get(action="invoice.import_changed")
    assert set(event.changes["after"]) >= {"number", "client_id", "issue_date", "due_date", "notes", "total"}
    assert mirror_invoice(organization, other, moved)[2] is False
    assert AuditEvent.objects.filter(action="invoice.import_changed").count() == 1


@pytest.mark.django_db
def test_a_booked_invoice_follows_the_open_amount_there_beside_payments_recorded_here(organization: Organization):
    from invoices.services import record_payment
    from invoices.services.imports import follow_booked_invoice

    ours = make_invoice(organization)  # 121.00
    record_payment(
        organization=organization,
        client=ours.client,
        invoice=ours,
        amount=D("20.00"),
        date=datetime.date(2026, 2, 1),
        currency="EUR",
    )

    assert follow_booked_invoice(ours, D("121.00"), "yuki") is False  # Yuki has not seen the payment yet
    assert follow_booked_invoice(ours, D("51.00"), "yuki") is True
    ours.refresh_from_db()
    assert (ours.balance_due, ours.amount_paid) == (D("51.00"), D("70.00"))
    assert Invoice.objects.count() == 1
