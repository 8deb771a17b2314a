"""Bills received over Peppol, settled by the bank: an outgoing payment of the open amount that
quotes the supplier's structured reference or goes to its IBAN settles one bill, once; the
payables and the forecast then stop counting it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from banking.bill_payments import settle_paid_bills
from banking.models import Bill, ReceivedDocument
from banking.pipeline import after_sync
from core.models import AuditEvent, Organization
from integrations.models import SyncRun
from tests.factories import add_transactions, make_bank_account

pytestmark = pytest.mark.django_db
ISSUED = datetime.date(2026, 3, 2)
REFERENCE = "+++000/0026/11724+++"  # the twelve digits 000002611724 are mod-97 valid


def peppol_bill(organization: Organization, number: str, amount: str, *, iban: str = "BE73735012345660") -> Bill:
    bill = Bill.objects.create(
        organization=organization,
        external_id=f"peppol:{number}",
        supplier="Drukkerij Peeters BV",
        reference=number,
        date=ISSUED,
        due_date=ISSUED + datetime.timedelta(days=30),
        original_amount=Decimal(amount),
        open_amount=Decimal(amount),
    )
    ReceivedDocument.objects.create(
        organization=organization,
        document_id=f"doc-{number}",
        document_type="INVOICE",
        number=number,
        issue_date=ISSUED,
        currency="EUR",
        supplier_name="Drukkerij Peeters BV",
        receiver_endpoint="0208:0477472701",
        payable_amount=Decimal(amount),
        payment_reference=REFERENCE,
        iban=iban,
        xml=b"<Invoice/>",
        bill=bill,
    )
    return bill


def open_amounts(organization: Organization) -> list[Decimal]:
    return list(Bill.objects.filter(organization=organization).open().counted().values_list("open_amount", flat=True))


def test_a_payment_quoting_the_reference_settles_the_bill_once(organization: Organization):
    bill = peppol_bill(organization, "DP-1", "537.00")
    account = make_bank_account(organization)
    [payment] = add_transactions(
        account, (ISSUED + datetime.timedelta(days=9), "-537.00"), remittance_information=REFERENCE
    )

    assert settle_paid_bills(organization.pk) == 1
    assert settle_paid_bills(organization.pk) == 0

    bill.refresh_from_db()
    assert (bill.open_amount, bill.settled_on, bill.paid_by_id) == (Decimal("0.00"), payment.execution_date, payment.pk)
    assert open_amounts(organization) == []
    assert AuditEvent.objects.filter(action="bill.paid_from_bank", target_id=str(bill.pk)).count() == 1


def test_one_payment_settles_one_bill_and_the_oldest_due_goes_first(organization: Organization):
    first = peppol_bill(organization, "DP-1", "100.00")
    second = peppol_bill(organization, "DP-2", "100.00")
    Bill.objects.filter(pk=second.pk).update(due_date=ISSUED + datetime.timedelta(days=60))
    account = make_bank_account(organization)
    add_transactions(account, (ISSUED + datetime.timedelta(days=3), "-100.00"), counterpart_iban="BE73 7350 1234 5660")

    assert settle_paid_bills(organization.pk) == 1

    assert Bill.objects.get(pk=first.pk).settled_on is not None
    assert open_amounts(organization) == [Decimal("100.00")]


@pytest.mark.parametrize(
    ("day", "amount", "fields"),
    [
        (ISSUED + datetime.timedelta(days=5), "-536.99", {"remittance_information": REFERENCE}),  # not the amount
        (ISSUED - datetime.timedelta(days=1), "-537.00", {"remittance_information": REFERENCE}),  # before the bill
        (ISSUED + datetime.timedelta(days=5), "537.00", {"remittance_information": REFERENCE}),  # money coming in
        (ISSUED + datetime.timedelta(days=5), "-537.00", {"counterpart_iban": "BE68539007547034"}),  # someone else
    ],
)
def test_a_payment_that_is_not_the_bills_leaves_it_open(organization: Organization, day, amount, fields):
    peppol_bill(organization, "DP-1", "537.00")
    add_transactions(make_bank_account(organization), (day, amount), **fields)

    assert settle_paid_bills(organization.pk) == 0
    assert open_amounts(organization) == [Decimal("537.00")]


def test_the_pipeline_after_a_bank_sync_settles_paid_bills(organization: Organization):
    peppol_bill(organization, "DP-1", "537.00")
    account = make_bank_account(organization)
    add_transactions(account, (ISSUED + datetime.timedelta(days=9), "-537.00"), remittance_information=REFERENCE)
    run = SyncRun.objects.create(connection=account.connection, trigger="manual")

    assert after_sync(account.connection, run) == []
    assert open_amounts(organization) == []


def test_the_received_page_says_the_bill_was_paid_from_the_bank(organization: Organization, owner_client):
    bill = peppol_bill(organization, "DP-1", "537.00")
    add_transactions(
        make_bank_account(organization),
        (ISSUED + datetime.timedelta(days=9), "-537.00"),
        remittance_information=REFERENCE,
    )
    settle_paid_bills(organization.pk)

    page = owner_client.get(reverse("invoices:received_list")).content.decode()

    assert "paid from the bank 11/03/2026" in page and bill.reference in page


def test_a_bill_paid_elsewhere_is_marked_paid_by_the_user_once(organization: Organization, owner_client):
    bill = peppol_bill(organization, "DP-1", "537.00")
    document = ReceivedDocument.objects.get(bill=bill)
    url = reverse("invoices:received_mark_paid", args=[document.pk])

    before = owner_client.get(reverse("invoices:received_detail", args=[document.pk])).content.decode()
    owner_client.post(url, {"paid_on": "2026-03-20"})
    again = owner_client.post(url, {"paid_on": "2026-03-21"}, follow=True).content.decode()

    assert "Mark paid" in before
    bill.refresh_from_db()
    assert (bill.open_amount, bill.settled_on) == (Decimal("0.00"), datetime.date(2026, 3, 20))
    assert "already settled" in again
    assert open_amounts(organization) == []
    assert AuditEvent.objects.filter(action="bill.marked_paid", target_id=str(bill.pk)).count() == 1


@pytest.mark.parametrize(("paid_on", "says"), [("2026-03-01", "cannot have been paid before it"), ("", "required")])
def test_a_wrong_payment_date_is_refused_in_words(organization: Organization, owner_client, paid_on: str, says: str):
    bill = peppol_bill(organization, "DP-1", "537.00")
    document = ReceivedDocument.objects.get(bill=bill)

    page = owner_client.post(
        reverse("invoices:received_mark_paid", args=[document.pk]), {"paid_on": paid_on}, follow=True
    ).content.decode()

    assert says in page
    assert open_amounts(organization) == [Decimal("537.00")]
