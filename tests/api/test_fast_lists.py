"""A fast list writes exactly what DRF's own fields write, for every kind of row."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from core.models import Organization
from invoices.api.invoices import InvoiceSummarySerializer
from invoices.models import Invoice
from tests.factories import make_client, make_invoice, make_lines, pay

pytestmark = pytest.mark.django_db


class _DrfSummary(InvoiceSummarySerializer):
    class Meta(InvoiceSummarySerializer.Meta):
        list_serializer_class = serializers.ListSerializer  # type: ignore[assignment]


def test_invoice_list_is_written_as_drf_writes_it(organization: Organization) -> None:
    client = make_client(organization, name="Brasserie Dupont")
    sent = make_invoice(organization, client=client)
    pay(sent, Decimal("10.01"), on=datetime.date(2026, 3, 2))
    make_invoice(organization, client=client, sent=False)
    make_invoice(organization, client=client, lines=make_lines(("3", "0.33", "6"), ("1.5", "12.10", "21")))
    rows = Invoice.objects.filter(organization=organization).select_related("client").order_by("id")
    fast = InvoiceSummarySerializer(rows, many=True).data
    assert fast == _DrfSummary(rows, many=True).data
    assert {row["status"] for row in fast} >= {"draft"}
    assert any(row["paid_on"] is None for row in fast)
    assert all(isinstance(row["total"], str) for row in fast)
