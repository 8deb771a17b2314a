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
        "source": "yuki", "external_id": "ef1a1588-0001", "number": "VF-0001", "description": "Consulting",
        "issue_date": datetime.date(2026, 1, 31), "due_date": datetime.date(2026, 3, 2), "currency": "EUR",
        "total": D("121.00"), "open_amount": D(open_amount),
    }  # fmt: skip
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
