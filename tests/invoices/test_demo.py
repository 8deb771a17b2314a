"""The demo billing data that `make run` loads tells a story: every state is there."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from invoices.models import Challan, CreditNote, Invoice, InvoiceStatus, Payment


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_billing_has_every_state_and_loads_once():
    call_command("seed_demo")
    call_command("seed_demo_billing")
    call_command("seed_demo_billing")

    statuses = set(Invoice.objects.values_list("status", flat=True))
    assert {InvoiceStatus.DRAFT, InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE} <= statuses
    assert Invoice.objects.count() == 35
    assert Payment.objects.exists() and CreditNote.objects.exists() and Challan.objects.exists()
    assert all(invoice.balance_due >= 0 for invoice in Invoice.objects.all())
