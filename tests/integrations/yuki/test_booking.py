"""Booking invoices made here in Yuki: exactly once, failures shown and audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Organization
from integrations.models import ExternalBooking
from integrations.yuki.booking import sales_invoice
from integrations.yuki.client import sales_invoices_document
from invoices.models import Invoice
from sandboxes.yuki import YukiSandbox
from tests.factories import make_client, make_invoice, make_lines
from tests.integrations.yuki.conftest import link_yuki

pytestmark = pytest.mark.django_db


def booked_in_sandbox(sandbox: YukiSandbox, number: str) -> int:
    return sum(1 for entry in sandbox.sales_log if number in str(entry))


@pytest.fixture
def invoice(organization: Organization) -> Invoice:
    client = make_client(organization, name="Bakkerij Peeters BV", country="BE", vat_number="BE0987654321")
    return make_invoice(organization, client, lines=make_lines(("2", "50.00", "21"), ("1", "15.00", "6")))


def book(client: Client, invoice: Invoice) -> str:
    return client.post(reverse("integrations:book_in_yuki", args=[invoice.pk]), follow=True).content.decode()


def test_an_invoice_is_booked_once_even_when_asked_twice(owner_client: Client, yuki: YukiSandbox, invoice: Invoice):
    link_yuki(owner_client, yuki)

    first = book(owner_client, invoice)
    second = book(owner_client, invoice)

    assert f"{invoice.number} is booked in Yuki" in first
    assert f"{invoice.number} is already booked in Yuki." in second
    assert booked_in_sandbox(yuki, invoice.number) == 1
    assert AuditEvent.objects.filter(action="invoice.booked_in_yuki", target_id=str(invoice.pk)).count() == 1
    assert ExternalBooking.objects.count() == 1


def test_the_invoice_page_offers_booking_only_with_a_yuki_link(
    owner_client: Client, yuki: YukiSandbox, invoice: Invoice, django_capture_on_commit_callbacks
):
    url = reverse("invoices:invoice_detail", args=[invoice.pk])
    assert "Book in Yuki" not in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the linked providers are cached until it commits
        link_yuki(owner_client, yuki)
    assert "Book in Yuki" in owner_client.get(url).content.decode()


def test_a_refusal_is_shown_and_recorded(owner_client: Client, yuki: YukiSandbox, invoice: Invoice, settings):
    link_yuki(owner_client, yuki)
    settings.YUKI_VAT_TYPES = {**settings.YUKI_VAT_TYPES, "BE": {**settings.YUKI_VAT_TYPES["BE"], "21": 9}}

    page = book(owner_client, invoice)

    booking = ExternalBooking.objects.get()
    assert not booking.succeeded
    assert "No tax code for VATPercentage 21" in booking.message
    assert "Yuki did not book" in page
    assert AuditEvent.objects.filter(action="invoice.yuki_booking_failed").exists()


def test_a_lost_answer_is_confirmed_and_never_booked_twice(
    owner_client: Client, yuki: YukiSandbox, invoice: Invoice, settings
):
    link_yuki(owner_client, yuki)
    settings.YUKI_TIMEOUT_SECONDS = 0.5
    yuki.add_fault({"kind": "timeout", "operation": "ProcessSalesInvoices", "times": 1, "seconds": 1.5})

    first = book(owner_client, invoice)
    again = book(owner_client, invoice)

    assert "confirmed after a lost answer" in first
    assert "already booked" in again
    assert booked_in_sandbox(yuki, invoice.number) == 1


def test_the_document_follows_the_xsd_order(invoice: Invoice, settings):
    xml = sales_invoices_document([sales_invoice(invoice, settings.YUKI_VAT_TYPES["BE"])])

    order = [
        xml.index(f"<{name}>")
        for name in ("Reference", "Subject", "PaymentMethod", "Process", "Date", "DueDate", "Contact", "InvoiceLines")
    ]
    assert order == sorted(order)
    assert f"<Reference>{invoice.number}</Reference>" in xml
