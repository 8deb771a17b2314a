"""Documents received over Peppol become bills, against the e-invoice.be sandbox on a real socket:
stored once however often they come, kept with their XML, PDF and validation issues, and counted
once when the bookkeeping (Yuki) has the same bill."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.db.models import Sum
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from banking.models import Bill, ReceivedDocument, supersede_booked_duplicates
from banking.models.einvoices import QuarantinedDocument
from core.models import AuditEvent, Organization
from dashboards.figures.forecast import expected_bills
from integrations.models import Connection
from integrations.runner import run_sync
from invoices.einvoicing import access_point as access_point_client
from invoices.einvoicing import receiving
from invoices.einvoicing.receiving import poll_inbox, receive_document
from invoices.models import BillingProfile
from sandboxes.einvoice import EInvoiceSandbox, sample
from sandboxes.yuki import YukiSandbox
from tests.integrations.yuki.conftest import link_yuki, main_truth, yuki  # noqa: F401 - the fixture
from tests.invoices.einvoicing.test_incoming_parse import PDF, with_pdf

pytestmark = pytest.mark.django_db
INVOICE_XML = sample("invoice-21-6")


@pytest.fixture
def access_point(einvoice_sandbox: EInvoiceSandbox, settings: SettingsWrapper) -> Iterator[httpx.Client]:
    """The sandbox (tests/invoices/einvoicing/conftest.py), through an HTTP client on its control API."""
    with httpx.Client(base_url=settings.EINVOICE_API_URL, timeout=5) as control:
        yield control


@pytest.fixture
def receiver(organization: Organization) -> Organization:
    """Our organisation, registered on Peppol as the sandbox's tenant (0208:0477472701)."""
    BillingProfile.objects.create(
        organization=organization, legal_name="Smart Invoice Demo BV", country="BE", enterprise_number="0477472701"
    )
    return organization


def deliver(control: httpx.Client, *, name: str = "", ubl: bytes = b"", copies: int = 1) -> list[str]:
    body: dict[str, Any] = {"sample": name} if name else {"ubl": ubl.decode()}
    response = control.post("/_sandbox/inbox", json={**body, "copies": copies})
    assert response.status_code == 201, response.text
    return [document["id"] for document in response.json()["documents"]]


def fault(control: httpx.Client, **spec: Any) -> None:
    assert control.post("/_sandbox/faults", json=spec).status_code == 201


def payables(organization: Organization) -> Decimal:
    """What the payables aging sums (open, counted bills), and the forecast's bills must agree."""
    aging = Bill.objects.filter(organization=organization, currency="EUR").open().counted()
    total = aging.aggregate(total=Sum("open_amount"))["total"] or Decimal("0.00")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert sum(expected_bills(organization.pk, "EUR", tomorrow).values(), Decimal("0.00")) == total
    return total


def test_a_delivered_invoice_becomes_a_bill_with_its_lines_xml_and_pdf(
    access_point: httpx.Client, receiver: Organization
):
    xml = with_pdf(INVOICE_XML)
    [document_id] = deliver(access_point, ubl=xml)

    receipt = receive_document(document_id)

    assert receipt.outcome == "stored"
    received = ReceivedDocument.objects.get(document_id=document_id)
    assert received.organization == receiver
    assert bytes(received.xml) == xml and bytes(received.pdf or b"") == PDF
    assert (received.supplier_legal_id, received.supplier_vat_id) == ("0765432146", "BE0765432146")
    assert [line["description"] for line in received.lines] == [
        "Brochures A5, vierkleurendruk",
        "Jaarboek voor ondernemers 2026",
    ]
    assert received.valid and received.fatal_rule_ids == [] and received.rules_version
    bill = received.bill
    assert bill is not None and bill.connection is None
    assert (bill.supplier, bill.supplier_code, bill.reference) == ("Drukkerij Peeters BV", "0765432146", "DP-2026-0117")
    assert bill.original_amount == bill.open_amount == Decimal("537.00")
    assert payables(receiver) == Decimal("537.00")
    event = AuditEvent.objects.get(action="einvoice.received")
    assert event.organization == receiver and event.target_id == str(received.pk)


def test_the_same_document_by_webhook_then_poll_makes_one_bill(access_point: httpx.Client, receiver: Organization):
    [document_id] = deliver(access_point, name="invoice-21-6")
    assert receive_document(document_id).outcome == "stored"

    poll = poll_inbox()
    again = receive_document(document_id)

    assert (poll.stored, poll.duplicates, poll.fault) == (0, 1, None)
    assert again.outcome == "duplicate"
    assert Bill.objects.count() == ReceivedDocument.objects.count() == 1
    assert payables(receiver) == Decimal("537.00")


def test_a_credit_note_reduces_the_bill_it_credits(access_point: httpx.Client, receiver: Organization):
    deliver(access_point, name="invoice-21-6")
    deliver(access_point, name="credit-note")

    poll = poll_inbox()

    assert poll.stored == 2
    credit = ReceivedDocument.objects.get(document_type="CREDIT_NOTE")
    invoice = ReceivedDocument.objects.get(document_type="INVOICE")
    assert credit.credited_bill == invoice.bill
    assert credit.bill is not None and credit.bill.original_amount == Decimal("-121.00")
    assert credit.bill.open_amount == Decimal("0.00")
    assert payables(receiver) == Decimal("537.00") - Decimal("121.00")


def test_a_credit_note_for_an_invoice_we_lack_is_a_negative_bill_that_counts_nothing(
    access_point: httpx.Client, receiver: Organization
):
    [document_id] = deliver(access_point, name="credit-note")
    receive_document(document_id)
    bill = Bill.objects.get()
    assert bill.original_amount == bill.open_amount == Decimal("-121.00")
    assert payables(receiver) == Decimal("0.00")


def test_an_invalid_document_is_stored_with_its_rule_ids(access_point: httpx.Client, receiver: Organization):
    broken = INVOICE_XML.replace(b"0765432146", b"0765432145")  # KBO check digits wrong: PEPPOL-COMMON-R043
    [document_id] = deliver(access_point, ubl=broken)

    assert receive_document(document_id).outcome == "stored"

    received = ReceivedDocument.objects.get()
    assert not received.valid
    assert "PEPPOL-COMMON-R043" in received.fatal_rule_ids
    assert all(issue["message"] for issue in received.validation_issues)
    assert received.bill is not None and payables(receiver) == Decimal("537.00")


def test_a_document_for_an_unknown_receiver_is_counted_and_stored_nowhere(
    access_point: httpx.Client, receiver: Organization
):
    other = INVOICE_XML.replace(b"0477472701", b"0700123432")
    deliver(access_point, ubl=other)
    deliver(access_point, name="invoice-21-6")

    poll = poll_inbox()

    assert (poll.stored, poll.unknown_receiver, poll.fault) == (1, 1, None)
    assert ReceivedDocument.objects.count() == Bill.objects.count() == 1


@pytest.mark.parametrize(
    ("spec", "transient"),
    [
        ({"kind": "503", "path": "/api/documents/"}, True),
        ({"kind": "429", "path": "/api/documents/", "retry_after": 1}, True),
        ({"kind": "timeout", "path": "/api/documents/", "seconds": 2}, True),
        ({"kind": "500", "path": "/api/inbox"}, True),
    ],
    ids=["5xx", "429", "timeout", "5xx-on-the-list"],
)
def test_a_fault_during_a_poll_keeps_what_was_stored_and_the_next_poll_completes(
    access_point: httpx.Client, receiver: Organization, spec: dict[str, Any], transient: bool
):
    deliver(access_point, name="invoice-21-6")
    deliver(access_point, name="credit-note")
    deliver(access_point, name="reverse-charge")
    # One document a page: the first goes through, then the access point fails (on the document's
    # own calls, or on the list of the second page).
    fault(access_point, **spec, after=1, times=1)

    first = poll_inbox(page_size=1)

    assert first.fault is not None and first.fault.transient is transient
    assert ReceivedDocument.objects.count() == first.stored == 1
    second = poll_inbox(page_size=1)
    assert second.fault is None
    assert ReceivedDocument.objects.count() == Bill.objects.count() == 3
    assert first.stored + second.stored == 3


# --- the same bill over Peppol and from Yuki ------------------------------------------------------
def yuki_payable(sandbox: YukiSandbox) -> dict[str, Any]:
    items: list[dict[str, Any]] = main_truth(sandbox)["openCreditorItems"]
    return next(item for item in items if item["typeId"] == 2)


def as_peppol_invoice(item: dict[str, Any]) -> bytes:
    """The sample invoice renumbered and repriced as the Yuki bill `item` (its totals no longer add
    up, which validation reports: it is stored anyway)."""
    return INVOICE_XML.replace(b"DP-2026-0117", item["reference"].encode()).replace(
        b'EUR">537.00</cbc:PayableAmount>', f'EUR">{item["originalAmount"]}</cbc:PayableAmount>'.encode()
    )


def yuki_total(sandbox: YukiSandbox) -> Decimal:
    items = main_truth(sandbox)["openCreditorItems"]
    return sum((Decimal(item["openAmount"]) for item in items if Decimal(item["openAmount"]) > 0), Decimal("0.00"))


def sync(connection: Connection) -> None:
    run = run_sync(connection.pk)
    assert run is not None and run.status == "success", run and run.error_message


@pytest.mark.parametrize("peppol_first", [True, False], ids=["peppol-then-yuki", "yuki-then-peppol"])
def test_a_bill_from_peppol_and_from_yuki_counts_once_as_booked(
    access_point: httpx.Client,
    receiver: Organization,
    owner_client: Client,
    yuki: YukiSandbox,  # noqa: F811 - the fixture
    peppol_first: bool,
):
    connection = link_yuki(owner_client, yuki)
    item = yuki_payable(yuki)
    [document_id] = deliver(access_point, ubl=as_peppol_invoice(item))
    if peppol_first:
        receive_document(document_id)
        assert payables(receiver) == Decimal(item["originalAmount"])  # before the bookkeeper books it
        sync(connection)
    else:
        sync(connection)
        receive_document(document_id)

    peppol_bill = ReceivedDocument.objects.get().bill
    assert peppol_bill is not None and peppol_bill.superseded_by is not None
    assert peppol_bill.superseded_by.external_id == item["id"]
    assert payables(receiver) == yuki_total(yuki)


# --- a supplier sending the same document again ---------------------------------------------------
def test_a_resent_invoice_is_a_repeat_without_a_second_bill(access_point: httpx.Client, receiver: Organization):
    first, resent = deliver(access_point, name="invoice-21-6", copies=2)  # two access-point ids

    assert receive_document(first).outcome == "stored"
    assert receive_document(resent).outcome == "repeat"
    assert receive_document(resent).outcome == "duplicate"

    original = ReceivedDocument.objects.get(document_id=first)
    repeat = ReceivedDocument.objects.get(document_id=resent)
    assert repeat.repeat_of == original and repeat.bill is None and original.bill is not None
    assert Bill.objects.count() == 1
    assert payables(receiver) == Decimal("537.00")
    assert AuditEvent.objects.filter(action="einvoice.received").count() == 2


def test_a_poll_counts_a_resent_credit_note_once(access_point: httpx.Client, receiver: Organization):
    deliver(access_point, name="invoice-21-6")
    deliver(access_point, name="credit-note", copies=2)

    poll = poll_inbox()

    assert (poll.stored, poll.repeats, poll.fault) == (2, 1, None)
    assert Bill.objects.count() == 2
    assert payables(receiver) == Decimal("537.00") - Decimal("121.00")


def test_the_same_number_from_another_supplier_is_not_a_repeat(access_point: httpx.Client, receiver: Organization):
    other_supplier = INVOICE_XML.replace(b"0765432146", b"0403170701")
    [first] = deliver(access_point, name="invoice-21-6")
    [second] = deliver(access_point, ubl=other_supplier)

    assert (receive_document(first).outcome, receive_document(second).outcome) == ("stored", "stored")
    assert Bill.objects.count() == 2


# --- whose a document is: the access point's addressing -------------------------------------------
OTHER_COMPANY_XML = INVOICE_XML.replace(b"0477472701", b"0700123432")  # the document names someone else


@pytest.mark.parametrize("addressed_to", ["0208:0477472701", "9925:BE0477472701", "9925:be0477472701"])
def test_the_access_points_receiver_decides_whose_a_document_is(
    access_point: httpx.Client, einvoice_sandbox: EInvoiceSandbox, receiver: Organization, addressed_to: str
):
    [document_id] = deliver(access_point, ubl=OTHER_COMPANY_XML)
    einvoice_sandbox.document(document_id).receiver = addressed_to

    assert receive_document(document_id).outcome == "stored"
    assert ReceivedDocument.objects.get().organization == receiver


def test_a_profile_registered_under_its_vat_number_gets_documents_sent_to_its_enterprise_number(
    access_point: httpx.Client, einvoice_sandbox: EInvoiceSandbox, receiver: Organization
):
    BillingProfile.objects.filter(organization=receiver).update(peppol_id="9925:BE0477472701")
    other = Organization.objects.create(name="Other BV")
    BillingProfile.objects.create(organization=other, country="BE", enterprise_number="0700123432")
    [document_id] = deliver(access_point, name="invoice-21-6")  # addressed to 0208:0477472701

    assert receive_document(document_id).outcome == "stored"
    assert ReceivedDocument.objects.get().organization == receiver


def test_a_document_the_access_point_routes_elsewhere_is_not_ours(
    access_point: httpx.Client, einvoice_sandbox: EInvoiceSandbox, receiver: Organization
):
    [document_id] = deliver(access_point, name="invoice-21-6")  # its EndpointID is ours
    einvoice_sandbox.document(document_id).receiver = "0208:0700123432"

    assert receive_document(document_id).outcome == "unknown_receiver"
    assert not ReceivedDocument.objects.exists()


def test_without_the_access_points_receiver_the_documents_endpoint_decides(
    access_point: httpx.Client, einvoice_sandbox: EInvoiceSandbox, receiver: Organization
):
    [document_id] = deliver(access_point, name="invoice-21-6")
    einvoice_sandbox.document(document_id).receiver = None

    assert receive_document(document_id).outcome == "stored"


# --- what cannot be placed or read is set aside once ----------------------------------------------
def test_an_unplaceable_document_is_set_aside_once_and_not_fetched_again(
    access_point: httpx.Client, receiver: Organization, caplog: pytest.LogCaptureFixture
):
    [stray] = deliver(access_point, ubl=OTHER_COMPANY_XML)

    first = poll_inbox()
    second = poll_inbox()

    assert (first.unknown_receiver, second.unknown_receiver, second.skipped) == (1, 0, 1)
    set_aside = QuarantinedDocument.objects.get()
    assert (set_aside.document_id, set_aside.reason) == (stray, "unknown_receiver")
    assert set_aside.receiver == "0208:0700123432"
    assert bytes(set_aside.xml or b"") == OTHER_COMPANY_XML
    assert receive_document(stray).outcome == "quarantined"
    messages = [record.getMessage() for record in caplog.records]
    assert len([message for message in messages if f"/api/documents/{stray}/ubl" in message]) == 1  # fetched once
    assert len([message for message in messages if "set aside" in message]) == 1  # logged once


def bad_amount_document(access_point: httpx.Client, sandbox: EInvoiceSandbox, amount: bytes) -> str:
    """A document whose PayableAmount is `amount` (the sandbox cannot store such a one itself: its
    stored XML is swapped after the delivery)."""
    [document_id] = deliver(access_point, name="invoice-21-6")
    sandbox.document(document_id).ubl = INVOICE_XML.replace(
        b'EUR">537.00</cbc:PayableAmount>', b'EUR">' + amount + b"</cbc:PayableAmount>"
    )
    return document_id


def test_an_amount_too_large_to_store_is_unreadable_and_the_poll_goes_on(
    access_point: httpx.Client, einvoice_sandbox: EInvoiceSandbox, receiver: Organization
):
    bad = bad_amount_document(access_point, einvoice_sandbox, b"1E+30")
    deliver(access_point, name="credit-note")

    poll = poll_inbox()

    assert (poll.unreadable, poll.stored, poll.failed, poll.fault) == (1, 1, 0, None)
    set_aside = QuarantinedDocument.objects.get()
    assert set_aside.document_id == bad and set_aside.reason == "unreadable" and "too large" in set_aside.detail
    assert poll_inbox().skipped == 1


def test_an_unexpected_error_in_one_document_does_not_stop_the_poll(
    access_point: httpx.Client, receiver: Organization, monkeypatch: pytest.MonkeyPatch
):
    [failing] = deliver(access_point, name="reverse-charge")
    deliver(access_point, name="invoice-21-6")
    calls: list[int] = []

    def supersede_failing_once(organization_id: int) -> int:
        calls.append(organization_id)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return supersede_booked_duplicates(organization_id)

    monkeypatch.setattr(receiving, "supersede_booked_duplicates", supersede_failing_once)

    first = poll_inbox()
    second = poll_inbox()

    assert (first.failed, first.stored, first.fault) == (1, 1, None)
    assert (second.failed, second.stored, second.duplicates) == (0, 1, 1)
    assert ReceivedDocument.objects.filter(document_id=failing).exists()


# --- the download of the XML ----------------------------------------------------------------------
def test_a_document_larger_than_the_cap_is_set_aside(
    access_point: httpx.Client, receiver: Organization, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(receiving, "MAX_XML_BYTES", 1000)
    [document_id] = deliver(access_point, name="invoice-21-6")

    receipt = receive_document(document_id)

    assert receipt.outcome == "too_large" and "over the" in receipt.detail
    assert QuarantinedDocument.objects.get().reason == "too_large"
    assert not ReceivedDocument.objects.exists()


def test_the_download_stops_at_the_cap_whatever_size_was_announced(
    access_point: httpx.Client, receiver: Organization, monkeypatch: pytest.MonkeyPatch
):
    [document_id] = deliver(access_point, name="invoice-21-6")
    url = access_point_client.client().documents.ubl.get(document_id).signed_url
    assert url is not None
    monkeypatch.setattr(receiving, "MAX_XML_BYTES", 1000)
    monkeypatch.setattr(receiving, "DOWNLOAD_CHUNK", 100)

    with pytest.raises(receiving.SetAside, match="over the"):
        receiving._fetch(url, "")


@pytest.mark.parametrize("link", ["file:///etc/passwd", "ftp://storage.example/doc.xml", "//storage.example/x"])
def test_a_link_that_is_not_http_is_refused(
    access_point: httpx.Client,
    einvoice_sandbox: EInvoiceSandbox,
    receiver: Organization,
    monkeypatch: pytest.MonkeyPatch,
    link: str,
):
    [document_id] = deliver(access_point, name="invoice-21-6")
    monkeypatch.setattr(einvoice_sandbox.links, "link", lambda *args: link)

    assert receive_document(document_id).outcome == "refused_link"
    assert QuarantinedDocument.objects.get().reason == "refused_link"


# --- a Peppol bill beside a booked one ------------------------------------------------------------
def booked_and_peppol(organization: Organization, booked_currency: str = "EUR") -> tuple[Bill, Bill]:
    connection = Connection.objects.create(organization=organization, provider="yuki", status="active")
    booked = Bill.objects.create(
        organization=organization,
        connection=connection,
        external_id="y-1",
        supplier="Peeters",
        reference="DP-2026-0117",
        currency=booked_currency,
        original_amount=Decimal("537.00"),
        open_amount=Decimal("537.00"),
    )
    peppol = Bill.objects.create(
        organization=organization,
        external_id="doc_1",
        supplier="Peeters",
        reference="DP-2026-0117",
        currency="EUR",
        original_amount=Decimal("537.00"),
        open_amount=Decimal("537.00"),
    )
    return booked, peppol


def test_a_booked_bill_in_another_currency_does_not_supersede(organization: Organization):
    _, peppol = booked_and_peppol(organization, booked_currency="USD")

    assert supersede_booked_duplicates(organization.pk) == 0
    peppol.refresh_from_db()
    assert peppol.superseded_by is None and Bill.objects.counted().filter(pk=peppol.pk).exists()


def test_a_peppol_bill_counts_again_when_the_bookkeeping_is_disconnected(organization: Organization):
    booked, peppol = booked_and_peppol(organization)
    assert supersede_booked_duplicates(organization.pk) == 1
    assert set(Bill.objects.counted()) == {booked}

    Connection.objects.filter(bills=booked).update(status="disconnected")

    assert set(Bill.objects.counted()) == {peppol}
    assert set(Bill.objects.filter(organization=organization).open().counted()) == {peppol}
