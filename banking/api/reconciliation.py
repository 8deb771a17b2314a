"""`/api/v1/reconciliation/`: what reconciliation concluded about each incoming bank transaction,
and the reviewer's decisions (confirm one invoice, reject) through the review screen's services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.views.base import OrganizationViewSet
from banking import reconciliation
from banking.api.transactions import PaidInvoiceSerializer, TransactionSerializer
from banking.models import Allocation, Match
from banking.views.reconciliation import chosen_invoice
from invoices.models import Invoice


class CandidateSerializer(serializers.ModelSerializer[Invoice]):
    class Meta:
        model = Invoice
        fields = ["id", "number", "client", "due_date", "total", "balance_due", "currency"]
        read_only_fields = fields


class MatchSerializer(serializers.ModelSerializer[Match]):
    transaction = TransactionSerializer(read_only=True)
    candidates = CandidateSerializer(many=True, read_only=True, help_text="The invoices it may pay.")
    paid_invoices = PaidInvoiceSerializer(source="allocations", many=True, read_only=True)

    class Meta:
        model = Match
        fields = [
            "id",
            "status",
            "evidence",
            "automatic",
            "note",
            "transaction",
            "candidates",
            "paid_invoices",
            "created_at",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer[Any]):
    invoice = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The invoice the whole transaction pays: one of its candidates."
    )


class MatchFilter(filters.FilterSet):
    class Meta:
        model = Match
        fields = ["status", "automatic"]


class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet[Match]):
    queryset = (
        Match.objects.select_related("transaction")
        .defer("transaction__raw", "transaction__search_text")
        .prefetch_related(
            Prefetch("candidates", queryset=Invoice.objects.order_by("due_date", "id")),
            Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")),
        )
    )
    serializer_class = MatchSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = MatchFilter

    def decided(self, match: Match) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=match.pk)).data)

    @extend_schema(request=ConfirmSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Pay the whole transaction to one invoice (recorded as its payment)."""
        match = self.get_object()
        choice = ConfirmSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        invoice = chosen_invoice(match, str(choice.validated_data["invoice"]))
        reconciliation.confirm(match, invoice, actor=self.actor, request=request._request)
        return self.decided(match)

    @extend_schema(request=None, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """No invoice is paid by this transaction; it is never matched again."""
        match = self.get_object()
        reconciliation.reject(match, actor=self.actor, request=request._request)
        return self.decided(match)
