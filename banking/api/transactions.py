"""`/api/v1/transactions/`: the bank transactions as the transactions screen filters and pages
them (the same form, the same keyset), one transaction with what it paid, and categorising one
by hand through the screen's service."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response

from api.forms import clean_with
from api.views.base import OrganizationViewSet
from banking import services, transactions
from banking.api.pagination import TransactionPages
from banking.forms import CategorizeForm, TransactionFilterForm
from banking.models import Allocation, BankTransaction, Bill, Match, TransactionStatus

# Neither the provider's raw copy, the largest column by far, nor the search column.
_UNREAD = ("raw", "search_text")


class TransactionSerializer(serializers.ModelSerializer[BankTransaction]):
    class Meta:
        model = BankTransaction
        fields = [
            "id",
            "account",
            "connection",
            "execution_date",
            "value_date",
            "status",
            "amount",
            "currency",
            "counterpart_name",
            "counterpart_iban",
            "description",
            "remittance_information",
            "remittance_information_type",
            "category",
            "categorized_by_hand",
        ]
        read_only_fields = fields


class PaidInvoiceSerializer(serializers.ModelSerializer[Allocation]):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["invoice", "invoice_number", "payment", "amount"]
        read_only_fields = fields


class PaidBillSerializer(serializers.ModelSerializer[Bill]):
    class Meta:
        model = Bill
        fields = ["id", "supplier", "reference", "original_amount", "currency"]
        read_only_fields = fields


class TransactionMatchSerializer(serializers.ModelSerializer[Match]):
    paid_invoices = PaidInvoiceSerializer(source="allocations", many=True, read_only=True)

    class Meta:
        model = Match
        fields = ["id", "status", "paid_invoices"]
        read_only_fields = fields


class TransactionDetailSerializer(TransactionSerializer):
    match = TransactionMatchSerializer(
        source="reconciliation",
        read_only=True,
        allow_null=True,
        help_text="What reconciliation concluded, with the invoices the transaction paid; null if nothing.",
    )
    paid_bills = PaidBillSerializer(many=True, read_only=True, help_text="The bills this payment settled.")

    class Meta(TransactionSerializer.Meta):
        fields = [*TransactionSerializer.Meta.fields, "match", "paid_bills"]
        read_only_fields = fields


class CategorizeSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(
        allow_blank=True, help_text="The category, as on the transactions screen; blank leaves it uncategorised."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return clean_with(CategorizeForm(data=attrs))


_FILTERS = [
    OpenApiParameter("q", str, description="Counterparty, IBAN, text, structured reference or amount."),
    OpenApiParameter("account", int, many=True, explode=True, description="A bank account id; repeat for several."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Booked on or after this day."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Booked on or before this day."),
    OpenApiParameter(
        "category",
        str,
        description=f"One of the organisation's categories, or {transactions.UNCATEGORISED} for none.",
    ),
    OpenApiParameter("direction", str, enum=["in", "out"]),
    OpenApiParameter("reconciled", str, enum=["yes", "no"]),
    OpenApiParameter("source", int, description="A connection's id."),
    OpenApiParameter("status", str, enum=list(TransactionStatus.values)),
]


class TransactionFilterBackend(BaseFilterBackend):
    """The transactions screen's filters, checked by its form: a value it refuses is a 400. Only
    the list is filtered; one transaction is found by its id alone."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if view.action != "list":
            return queryset
        organization = view.organization
        form = TransactionFilterForm(
            request.query_params,
            organization=organization,
            categories=transactions.known_categories(organization.pk),
        )
        clean_with(form)
        return queryset & transactions.filtered(organization.pk, form.filters())


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet[BankTransaction]):
    queryset = BankTransaction.objects.defer(*_UNREAD)
    filter_backends = [TransactionFilterBackend]
    pagination_class = TransactionPages

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        return queryset.select_related("reconciliation").prefetch_related(
            Prefetch("reconciliation__allocations", queryset=Allocation.objects.select_related("invoice")),
            "paid_bills",
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return TransactionSerializer
        if self.action == "categorise":
            return CategorizeSerializer
        return TransactionDetailSerializer

    @extend_schema(request=CategorizeSerializer, responses=TransactionDetailSerializer)
    @action(detail=True, methods=["post"])
    def categorise(self, request: Request, pk: str) -> Response:
        """Put the transaction in a category by hand: rules applied later leave it there."""
        row = self.get_object()
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.categorize_transactions(
            self.organization,
            [row.pk],
            form.validated_data["category"],
            actor=self.actor,
            request=request._request,
        )
        return Response(TransactionDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)
