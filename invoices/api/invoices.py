"""`/api/v1/invoices/`: invoices with their lines, checked by the invoice editor's form and line
formset, written by the billing services; drafts are edited, the rest goes by actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict
from api.forms import clean_with, form_data
from api.idempotency import IdempotentCreateMixin
from api.serializers import FastListSerializer
from api.views.base import OrganizationViewSet
from invoices import services
from invoices.api.documents import InvoiceDocumentsMixin
from invoices.api.fields import IdFilter, OwnObjectField
from invoices.api.lines import LineSerializer, checked, posted_lines, stored_lines
from invoices.einvoicing import sending
from invoices.forms import CancelInvoiceForm, InvoiceForm, line_formset
from invoices.models import Client, Invoice, InvoiceItem, InvoiceStatus
from invoices.models.profile import offered_rates
from invoices.money import CURRENCIES

_FORM_FIELDS = ["client", "issue_date", "due_date", "currency", "payment_reference", "notes"]


class VatGroupSerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    taxable = serializers.DecimalField(max_digits=14, decimal_places=2)
    vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    client = OwnObjectField(queryset=Client.objects.filter(is_active=True))
    client_name = serializers.CharField(source="client.name", read_only=True)
    due_date = serializers.DateField(required=False, allow_null=True, help_text="Left out: the client's terms.")
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False, help_text="Left out: the client's.")
    payment_reference = serializers.CharField(
        required=False, allow_blank=True, help_text="Structured reference; left out: one is generated."
    )
    lines = LineSerializer(many=True, source="items", required=False, help_text="On a change, all lines at once.")
    vat_breakdown = serializers.SerializerMethodField(help_text="VAT per category and rate.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "client",
            "client_name",
            "issue_date",
            "due_date",
            "currency",
            "status",
            "payment_reference",
            "notes",
            "source",
            "lines",
            "vat_breakdown",
            "subtotal",
            "vat_total",
            "total",
            "amount_paid",
            "amount_credited",
            "balance_due",
            "paid_on",
            "sent_at",
            "cancelled_at",
            "created_at",
        ]
        # What a client sends: the rest is the service's to work out.
        read_only_fields = [
            name
            for name in fields
            if name not in ("client", "issue_date", "due_date", "currency", "payment_reference", "notes", "lines")
        ]

    @extend_schema_field(VatGroupSerializer(many=True))
    def get_vat_breakdown(self, invoice: Invoice) -> Any:
        return VatGroupSerializer(invoice.vat_groups(invoice.items.all()), many=True).data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = self.context["organization"]
        values = dict(attrs)
        lines = values.pop("items", None)
        invoice = self.instance
        current = list(invoice.items.all()) if invoice is not None else []
        if invoice is None:
            client = values.get("client")
            invoice = Invoice(organization=organization, currency=client.currency if client else "EUR")
        if "client" in values:
            values["client"] = values["client"].pk
        posted = posted_lines(stored_lines(current) if lines is None else lines)
        data = form_data(_FORM_FIELDS, values, invoice) | posted
        rates = offered_rates(organization, (item.vat_rate for item in current))
        # A browser's post as a plain dict: the form and the formset read it alike.
        form = InvoiceForm(data, organization=organization)
        lines = checked(form, line_formset(data, rates=rates))  # type: ignore[arg-type]
        return {"lines": lines, **{name: form.cleaned_data[name] for name in _FORM_FIELDS}}

    def save(self, **kwargs: Any) -> Invoice:
        request = self.context["request"]
        fields = {**self.validated_data, "actor": request.user, "request": request._request}
        if self.instance is None:
            self.instance = services.create_invoice(organization=self.context["organization"], **fields)
        else:
            self.instance = services.update_invoice(self.instance, **fields)
        return self.instance


class InvoiceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=InvoiceStatus.choices)
    client = IdFilter(field_name="client_id")
    issue_date_from = filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issue_date_to = filters.DateFilter(field_name="issue_date", lookup_expr="lte")
    due_date_from = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = filters.DateFilter(field_name="due_date", lookup_expr="lte")
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="true: overdue only; false: all but overdue.")
    q = filters.CharFilter(field_name="number", lookup_expr="icontains", max_length=100, help_text="In the number.")

    class Meta:
        model = Invoice
        fields = ["status", "client", "currency", "q"]

    def filter_overdue(self, queryset: QuerySet[Invoice], name: str, value: bool) -> QuerySet[Invoice]:
        overdue = queryset.filter(status=InvoiceStatus.OVERDUE)
        return overdue if value else queryset.exclude(status=InvoiceStatus.OVERDUE)


class SendSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(
        choices=[(sending.EMAIL, "email"), (sending.PEPPOL, "peppol")],
        default=sending.EMAIL,
        help_text="email: the PDF to the client's address (none: only marked sent); peppol: the e-invoice.",
    )


class SentSerializer(serializers.Serializer[Any]):
    invoice = InvoiceSerializer()
    channel = serializers.CharField()
    recipient = serializers.CharField(allow_null=True, help_text="The email address or Peppol ID sent to.")
    warning = serializers.CharField(allow_null=True, help_text="Marked sent, but the email could not be sent.")


# What a list shows of each invoice: its figures, not its lines (the invoice itself has those).
SUMMARY_FIELDS = [
    name for name in InvoiceSerializer.Meta.fields if name not in ("lines", "vat_breakdown", "notes", "source")
]


class InvoiceSummarySerializer(serializers.ModelSerializer[Invoice]):
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = Invoice
        fields = SUMMARY_FIELDS
        read_only_fields = SUMMARY_FIELDS
        list_serializer_class = FastListSerializer


class InvoiceViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    InvoiceDocumentsMixin,
    OrganizationViewSet[Invoice],
):
    queryset = Invoice.objects.select_related("client").prefetch_related(
        Prefetch("items", queryset=InvoiceItem.objects.order_by("position", "id"))
    )
    serializer_class = InvoiceSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = InvoiceFilter
    ordering_fields = ["id", "issue_date", "due_date", "total"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Invoice]]:
        return InvoiceSummarySerializer if self.action == "list" else InvoiceSerializer

    def get_queryset(self) -> QuerySet[Invoice]:
        invoices = super().get_queryset()
        if self.action != "list":
            return invoices
        # A list reads no lines, and of the invoice and its client only what it shows.
        columns = [name for name in SUMMARY_FIELDS if name != "client_name"]
        return invoices.prefetch_related(None).only(*columns, "client__name")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            self.get_object().check_editable()
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return super().update(request, *args, **kwargs)

    def _answer(self, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=invoice.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=SendSerializer, responses=SentSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        """Mark the invoice sent and deliver it: by email (its PDF, through the mail server) or over Peppol."""
        invoice = self.get_object()
        choice = SendSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        channel, recipient, warning = choice.validated_data["channel"], None, None
        if channel == sending.PEPPOL:
            transmission = sending.send_over_peppol(invoice, actor=self.actor, request=request._request)
            recipient = transmission.receiver
        else:
            try:
                invoice = services.send_invoice(invoice, actor=self.actor, request=request._request)
            except services.EmailDeliveryError as exc:
                warning = str(exc)
            recipient = invoice.client.email or None
        fresh = self.get_queryset().get(pk=invoice.pk)
        answer = {"invoice": fresh, "channel": channel, "recipient": recipient, "warning": warning}
        return Response(SentSerializer(answer, context=self.get_serializer_context()).data)

    @extend_schema(
        request=inline_serializer("CancelInvoice", {"reason": serializers.CharField(required=False)}),
        responses=InvoiceSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel an invoice without payments or credit notes: it asks for nothing any more."""
        invoice = self.get_object()
        data = request.data if isinstance(request.data, dict) else {}
        reason = clean_with(CancelInvoiceForm({"reason": data.get("reason", "")}))["reason"]
        cancelled = services.cancel_invoice(invoice, reason=reason, actor=self.actor, request=request._request)
        return self._answer(cancelled)

    @extend_schema(request=None, responses={201: OpenApiResponse(InvoiceSerializer, description="The new draft.")})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        """A new draft with the same client and lines, dated today."""
        copy = services.duplicate_invoice(self.get_object(), actor=self.actor, request=request._request)
        return self._answer(copy, status.HTTP_201_CREATED)
