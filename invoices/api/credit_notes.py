"""`/api/v1/credit-notes/`: credit notes of an invoice's own lines, never more than is left of
them to credit (services.credit_invoice_lines), checked by the credit note screen's forms."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers
from rest_framework.filters import OrderingFilter

from api.idempotency import IdempotentCreateMixin
from api.views.base import OrganizationViewSet
from invoices.api.fields import IdFilter, OwnObjectField
from invoices.api.lines import LineSerializer, checked, posted_lines, stored_lines
from invoices.forms import CreditNoteForm, line_formset
from invoices.models import CreditNote, CreditNoteItem, Invoice
from invoices.models.profile import offered_rates
from invoices.services.invoicing import credit_invoice_lines, creditable_lines


class CreditNoteSerializer(serializers.ModelSerializer[CreditNote]):
    invoice = OwnObjectField(queryset=Invoice.objects.all(), help_text="The invoice credited.")
    lines = LineSerializer(
        many=True,
        source="items",
        required=False,
        help_text="Some of the invoice's lines (same description and VAT), with a lower quantity or price; "
        "left out: all that is left to credit.",
    )

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "client",
            "issue_date",
            "currency",
            "reason",
            "lines",
            "subtotal",
            "vat_total",
            "total",
            "created_at",
        ]
        read_only_fields = ["id", "number", "client", "currency", "subtotal", "vat_total", "total", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        invoice: Invoice = attrs["invoice"]
        lines = attrs.get("items")
        if lines is None:
            lines = stored_lines(creditable_lines(invoice))
        data = {"issue_date": attrs.get("issue_date") or "", "reason": attrs.get("reason", "")} | posted_lines(lines)
        rates = offered_rates(invoice.organization, (item.vat_rate for item in invoice.items.all()))
        form = CreditNoteForm(data)
        return {"invoice": invoice, "lines": checked(form, line_formset(data, rates=rates)), **form.cleaned_data}  # type: ignore[arg-type]

    def save(self, **kwargs: Any) -> CreditNote:
        request = self.context["request"]
        fields = dict(self.validated_data)
        self.instance = credit_invoice_lines(
            fields.pop("invoice"), actor=request.user, request=request._request, **fields
        )
        return self.instance


class CreditNoteFilter(filters.FilterSet):
    invoice = IdFilter(field_name="invoice_id")
    client = IdFilter(field_name="client_id")
    issue_date_from = filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issue_date_to = filters.DateFilter(field_name="issue_date", lookup_expr="lte")

    class Meta:
        model = CreditNote
        fields = ["invoice", "client"]


class CreditNoteViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrganizationViewSet[CreditNote],
):
    # all(): the plain QuerySet, whose prefetch_related the type stubs read right.
    queryset = CreditNote.objects.all().prefetch_related(
        Prefetch("items", queryset=CreditNoteItem.objects.order_by("position", "id"))
    )
    serializer_class = CreditNoteSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = CreditNoteFilter
    ordering_fields = ["id", "issue_date", "total"]
