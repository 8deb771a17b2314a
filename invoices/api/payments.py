"""`/api/v1/payments/`: payments received on invoices, recorded as the invoice page records them
(its payment form, services.record_payment: locked, audited, no overpayment unless marked so)."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers
from rest_framework.filters import OrderingFilter

from api.forms import clean_with, form_data
from api.idempotency import IdempotentCreateMixin
from api.views.base import OrganizationViewSet
from invoices import services
from invoices.api.fields import IdFilter, OwnObjectField
from invoices.forms import PaymentForm
from invoices.models import Invoice, Payment
from invoices.money import CURRENCIES

_FORM_FIELDS = ["amount", "date", "currency", "method", "reference", "is_overpayment", "notes"]


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    invoice = OwnObjectField(queryset=Invoice.objects.all(), help_text="The invoice paid.")
    # No bounds here: the payment form says what an amount may be.
    amount = serializers.DecimalField(max_digits=None, decimal_places=None)
    currency = serializers.ChoiceField(choices=CURRENCIES, required=False, help_text="Left out: the invoice's.")
    is_overpayment = serializers.BooleanField(
        required=False, help_text="Accept more than the balance due; the excess is credited to the client."
    )

    class Meta:
        model = Payment
        fields = ["id", "invoice", "client", *_FORM_FIELDS, "created_at"]
        read_only_fields = ["id", "client", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        invoice: Invoice = attrs["invoice"]
        # What is left out is the model's default, as a new payment on the screen starts.
        payment = Payment(invoice=invoice, currency=invoice.currency)
        return {"invoice": invoice, **clean_with(PaymentForm(form_data(_FORM_FIELDS, attrs, payment)))}

    def save(self, **kwargs: Any) -> Payment:
        request = self.context["request"]
        invoice: Invoice = self.validated_data["invoice"]
        self.instance = services.record_payment(
            organization=self.context["organization"],
            client=invoice.client,
            actor=request.user,
            request=request._request,
            **self.validated_data,
        )
        return self.instance


class PaymentFilter(filters.FilterSet):
    invoice = IdFilter(field_name="invoice_id")
    client = IdFilter(field_name="client_id")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["invoice", "client", "method", "currency"]


class PaymentViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrganizationViewSet[Payment],
):
    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = PaymentFilter
    ordering_fields = ["id", "date", "amount"]
