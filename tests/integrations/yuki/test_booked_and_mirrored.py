"""Yuki's open items after a sync: an invoice booked from here is linked, never mirrored a second
time, and every mirrored field follows Yuki."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Organization
from integrations.models import Connection, SyncStatus
from integrations.runner import run_sync
from invoices.models import Invoice, InvoiceStatus
from invoices.services.imports import ImportedInvoice, mirror_invoice
from sandboxes.yuki import YukiSandbox
from tests.factories import make_client, make_invoice, make_lines
from tests.integrations.yuki.conftest import link_yuki, main_truth

pytestmark = pytest.mark.django_db
D = Decimal


def synced(connection: Connection) -> None:
    run = run_sync(connection.pk)
    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message


def open_item(sandbox: YukiSandbox, reference: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = main_truth(sandbox)["openDebtorItems"]
    return next(item for item in items if item["reference"] == reference)


@pytest.fixture
def invoice(organization: Organization) -> Invoice:
    client = make_client(organization, name="Bakkerij Peeters BV", country="BE", vat_number="BE0987654321")
    return make_invoice(organization, client, lines=make_lines(("2", "50.00", "21"), ("1", "15.00", "6")))


def book(client: Client, invoice: Invoice) -> None:
    client.post(reverse("integrations:book_in_yuki", args=[invoice.pk]))


# --- item 5: a booked invoice is linked, not mirrored ---------------------------------------------------------------


def test_a_booked_invoice_is_not_mirrored_and_follows_its_open_amount_in_yuki(
    owner_client: Client, yuki: YukiSandbox, invoice: Invoice
):
    connection = link_yuki(owner_client, yuki)
    book(owner_client, invoice)
    item = open_item(yuki, invoice.number)

    synced(connection)

    assert not Invoice.all_objects.filter(external_id=item["id"]).exists()
    assert not Invoice.all_objects.filter(number__startswith=f"{invoice.number} (").exists()
    others = {i["id"] for i in main_truth(yuki)["openDebtorItems"] if i["typeId"] == 6 and i["id"] != item["id"]}
    assert set(Invoice.all_objects.filter(source="yuki").values_list("external_id", flat=True)) == others
    invoice.refresh_from_db()
    assert invoice.balance_due == D(item["openAmount"]) == invoice.total

    yuki.settle_item(item["id"], {"amount": "100.00"})
    synced(connection)
    invoice.refresh_from_db()
    assert (invoice.balance_due, invoice.status) == (invoice.total - D("100.00"), InvoiceStatus.PARTIALLY_PAID)

    yuki.settle_item(item["id"], {})
    synced(connection)
    invoice.refresh_from_db()
    assert (invoice.balance_due, invoice.status) == (D("0.00"), InvoiceStatus.PAID)
    assert not Invoice.all_objects.filter(source="yuki", number__startswith=invoice.number).exists()


def test_a_booked_invoice_not_yet_listed_by_yuki_is_not_settled(
    owner_client: Client, yuki: YukiSandbox, invoice: Invoice
):
    connection = link_yuki(owner_client, yuki)
    book(owner_client, invoice)
    item = open_item(yuki, invoice.number)
    yuki.update_item(item["id"], {"reference": "not-yet-processed"})

    synced(connection)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SENT and invoice.balance_due == invoice.total


def test_a_duplicate_mirror_made_before_the_fix_is_retired_on_the_next_sync(
    owner_client: Client, yuki: YukiSandbox, invoice: Invoice, organization: Organization
):
    connection = link_yuki(owner_client, yuki)
    book(owner_client, invoice)
    item = open_item(yuki, invoice.number)
    # What the sync did before: the open item came back as a second invoice, partly paid there.
    duplicate, _, _ = mirror_invoice(
        organization,
        invoice.client,
        ImportedInvoice(
            source="yuki",
            external_id=item["id"],
            number=invoice.number,
            description="",
            currency="EUR",
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            total=D(item["originalAmount"]),
            open_amount=D(item["openAmount"]) - D("10.00"),
        ),
    )
    assert duplicate.number == f"{invoice.number} (yuki 1)"
    receivable_before = sum(Invoice.objects.open().values_list("balance_due", flat=True), D(0))

    synced(connection)

    duplicate = Invoice.all_objects.get(pk=duplicate.pk)
    assert (duplicate.is_active, duplicate.status, duplicate.balance_due) == (False, InvoiceStatus.CANCELLED, D(0))
    assert not duplicate.payments.exists()
    assert AuditEvent.objects.filter(action="invoice.import_retired", target_id=str(duplicate.pk)).count() == 1
    mirrors = Invoice.objects.open().filter(source="yuki")
    expected = sum((D(i["openAmount"]) for i in main_truth(yuki)["openDebtorItems"] if i["typeId"] == 6), D(0))
    assert sum(mirrors.values_list("balance_due", flat=True), D(0)) + invoice.balance_due == expected
    assert receivable_before != expected

    synced(connection)
    assert AuditEvent.objects.filter(action="invoice.import_retired").count() == 1


# --- item 6: every mirrored field follows Yuki ----------------------------------------------------------------------


def test_a_mirror_follows_every_change_in_yuki_and_each_change_is_audited(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    synced(connection)
    item = next(i for i in main_truth(yuki)["openDebtorItems"] if i["typeId"] == 6 and i["reference"])
    mirror = Invoice.objects.get(source="yuki", external_id=item["id"])
    new_date = datetime.date.fromisoformat(item["date"]) - datetime.timedelta(days=3)
    new_due = datetime.date.today() + datetime.timedelta(days=45)
    original = D(item["originalAmount"]) + D("50.00")

    yuki.update_item(
        item["id"],
        {
            "date": new_date.isoformat(),
            "dueDate": new_due.isoformat(),
            "originalAmount": str(original),
            "reference": "VF-CORRECTED-1",
            "description": "Corrected invoice",
        },
    )
    synced(connection)

    mirror.refresh_from_db()
    changed = open_item(yuki, "VF-CORRECTED-1")
    assert (mirror.number, mirror.issue_date, mirror.due_date, mirror.total, mirror.notes) == (
        "VF-CORRECTED-1",
        new_date,
        new_due,
        original,
        "Corrected invoice",
    )
    assert mirror.balance_due == D(changed["openAmount"])
    assert mirror.status != InvoiceStatus.OVERDUE
    event = AuditEvent.objects.get(action="invoice.import_changed", target_id=str(mirror.pk))
    assert {"number", "issue_date", "due_date", "total"} <= set(event.changes["after"])

    synced(connection)
    assert AuditEvent.objects.filter(action="invoice.import_changed").count() == 1, "a second sync changes nothing"


# --- the same class of bug in the ledger: a line moved to another GL account follows -------------------------------


def test_a_ledger_line_moved_to_another_account_follows_or_leaves(owner_client: Client, yuki: YukiSandbox):
    from banking.models import BankTransaction

    connection = link_yuki(owner_client, yuki)
    synced(connection)
    bank = next(a for a in main_truth(yuki)["glAccounts"] if a["code"] == "550000")
    to_cash, to_savings = bank["transactions"][-1]["id"], bank["transactions"][-2]["id"]
    yuki.update_transaction(to_cash, {"glAccountCode": "570000"})  # an account we read
    yuki.update_transaction(to_savings, {"glAccountCode": "551000"})  # one we do not

    synced(connection)

    assert BankTransaction.objects.get(external_id=to_cash).account.external_id == "gl:570000"
    assert not BankTransaction.objects.filter(external_id=to_savings).exists()
    for code in ("550000", "570000"):
        truth = next(a for a in main_truth(yuki)["glAccounts"] if a["code"] == code)
        stored = BankTransaction.objects.filter(account__external_id=f"gl:{code}")
        assert {t.external_id for t in stored} == {t["id"] for t in truth["transactions"]}, code
