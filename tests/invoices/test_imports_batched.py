"""Mirroring many external invoices at once gives exactly what mirroring them one by one gives, and
what Invoice.recompute gives for each."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest

from core.models import AuditEvent, Organization
from invoices.models import Client, Invoice, InvoiceItem, Payment
from invoices.services.imports import ImportedInvoice, mirror_invoice, mirror_invoices
from tests.factories import make_client, make_invoice

D = Decimal
TODAY = datetime.date.today()


def imported(external_id: str, number: str, total: str, open_amount: str, **changes: Any) -> ImportedInvoice:
    fields: dict[str, Any] = {
        "source": "yuki",
        "external_id": external_id,
        "number": number,
        "description": f"Invoice {number or external_id}",
        "issue_date": TODAY - datetime.timedelta(days=40),
        "due_date": TODAY - datetime.timedelta(days=10),
        "currency": "EUR",
        "total": D(total),
        "open_amount": D(open_amount),
    }
    return ImportedInvoice(**{**fields, **changes})


def first_round(taken: str) -> list[tuple[str, ImportedInvoice]]:
    """(client name, invoice): open, partly paid, paid there, due later, a number used here, one
    wanted number twice, no number at all, and amounts that do not round evenly."""
    later = {"due_date": TODAY + datetime.timedelta(days=20)}
    return [
        ("Dupont", imported("yk-1", "VF-1", "121.00", "121.00")),
        ("Dupont", imported("yk-2", "VF-2", "1000.10", "333.37")),
        ("Martin", imported("yk-3", "VF-3", "99.99", "0.00")),
        ("Martin", imported("yk-4", "VF-4", "50.00", "12.34", **later)),
        ("Peeters", imported("yk-5", taken, "10.00", "10.00")),
        ("Peeters", imported("yk-6", "VF-6", "20.00", "5.00")),
        ("Peeters", imported("yk-7", "VF-6", "30.00", "30.00", **later)),
        ("Dupont", imported("yk-8-without-number", "", "0.01", "0.01")),
    ]


def second_round(rows: list[tuple[str, ImportedInvoice]]) -> list[tuple[str, ImportedInvoice]]:
    """Paid more there, paid in full, moved to another client, corrected, and unchanged."""
    by_id = {data.external_id: (name, data) for name, data in rows}
    name, data = by_id["yk-1"]
    by_id["yk-1"] = (name, dataclasses.replace(data, open_amount=D("21.00")))
    name, data = by_id["yk-2"]
    by_id["yk-2"] = (name, dataclasses.replace(data, open_amount=D("0.00")))
    _, data = by_id["yk-4"]
    by_id["yk-4"] = ("Dupont", data)
    name, data = by_id["yk-6"]
    by_id["yk-6"] = (name, dataclasses.replace(data, total=D("25.00"), number="VF-6-B", description="Corrected"))
    name, data = by_id["yk-3"]
    by_id["yk-3"] = (name, dataclasses.replace(data, open_amount=D("99.99")))  # a payment there undone
    return list(by_id.values())


def clients_of(organization: Organization) -> dict[str, Client]:
    return {name: make_client(organization, name=name) for name in ("Dupont", "Martin", "Peeters")}


def stored(organization: Organization) -> dict[str, tuple[Any, ...]]:
    """Everything mirroring writes, per external invoice."""
    rows: dict[str, tuple[Any, ...]] = {}
    for invoice in Invoice.all_objects.filter(organization=organization, source="yuki").select_related("client"):
        lines = sorted(
            InvoiceItem.objects.filter(invoice=invoice).values_list(
                "description", "quantity", "unit_price", "net_amount", "vat_amount", "gross_amount"
            )
        )
        payments = sorted(
            Payment.all_objects.filter(invoice=invoice).values_list("client__name", "amount", "reference", "date")
        )
        rows[invoice.external_id] = (
            invoice.number,
            invoice.client.name,
            invoice.issue_date,
            invoice.due_date,
            invoice.notes,
            invoice.subtotal,
            invoice.vat_total,
            invoice.total,
            invoice.amount_paid,
            invoice.amount_credited,
            invoice.balance_due,
            invoice.status,
            invoice.paid_on,
            lines,
            payments,
        )
    return rows


def audited(organization: Organization) -> list[tuple[str, str, str]]:
    """The import audit events, with client ids read as client names (the ids differ between organisations)."""
    names = {str(pk): name for pk, name in Client.objects.filter(organization=organization).values_list("pk", "name")}
    events = AuditEvent.objects.filter(organization=organization, action__startswith="invoice.import")
    return sorted(
        (
            event.action,
            event.target_repr,
            repr(
                {
                    side: {
                        **values,
                        **({"client_id": names[str(values["client_id"])]} if "client_id" in values else {}),
                    }
                    for side, values in event.changes.items()
                }
            ),
        )
        for event in events
    )


def one_by_one(organization: Organization, rows: list[tuple[str, ImportedInvoice]]) -> list[tuple[bool, bool]]:
    clients = {client.name: client for client in Client.objects.filter(organization=organization)}
    return [mirror_invoice(organization, clients[name], data)[1:] for name, data in rows]


def batched(organization: Organization, rows: list[tuple[str, ImportedInvoice]]) -> list[tuple[bool, bool]]:
    clients = {client.name: client for client in Client.objects.filter(organization=organization)}
    results = mirror_invoices(organization, "yuki", [(clients[name], data) for name, data in rows])
    return [(created, changed) for _, created, changed in results]


@pytest.mark.django_db
def test_a_batch_stores_exactly_what_one_invoice_at_a_time_stores(
    organization: Organization, other_organization: Organization
):
    taken = {org.pk: make_invoice(org).number for org in (organization, other_organization)}
    assert taken[organization.pk] == taken[other_organization.pk]
    for org in (organization, other_organization):
        clients_of(org)
    rows = first_round(taken[organization.pk])

    assert one_by_one(organization, rows) == batched(other_organization, rows) == [(True, True)] * len(rows)
    assert stored(organization) == stored(other_organization)
    numbers = {external_id: row[0] for external_id, row in stored(other_organization).items()}
    assert numbers["yk-5"] == f"{taken[organization.pk]} (yuki 1)" and numbers["yk-7"] == "VF-6 (yuki 1)"

    later = second_round(rows)
    flags = one_by_one(organization, later)
    assert flags == batched(other_organization, later)
    assert flags.count((False, False)) == 3  # yk-5, yk-7 and the number-less one did not change
    assert stored(organization) == stored(other_organization)
    assert audited(organization) == audited(other_organization) != []


@pytest.mark.django_db
def test_recomputing_a_batched_mirror_one_by_one_changes_nothing(organization: Organization):
    clients_of(organization)
    batched(organization, first_round("VF-5"))
    batched(organization, second_round(first_round("VF-5")))
    before = stored(organization)

    for invoice in Invoice.all_objects.filter(organization=organization, source="yuki"):
        invoice.recompute()
        invoice.save()

    assert stored(organization) == before


@pytest.mark.django_db
def test_replaying_a_batch_writes_nothing(organization: Organization, django_assert_max_num_queries):
    clients = clients_of(organization)
    pairs = [(clients[name], data) for name, data in first_round("VF-5")]
    mirror_invoices(organization, "yuki", pairs)
    updated = dict(Invoice.all_objects.values_list("external_id", "updated_at"))

    # Read the mirrors, their lines and payments, the three grouped sums; a savepoint around it.
    with django_assert_max_num_queries(8):
        replayed = mirror_invoices(organization, "yuki", pairs)

    assert [(created, changed) for _, created, changed in replayed] == [(False, False)] * len(pairs)
    assert dict(Invoice.all_objects.values_list("external_id", "updated_at")) == updated
