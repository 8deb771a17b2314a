"""`/api/v1/bills/`: the bills to pay, from the bookkeeping or received over Peppol (read only)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers

from api.views.base import OrganizationViewSet
from banking.models import Bill
from banking.models.bills import BillQuerySet


class BillSerializer(serializers.ModelSerializer[Bill]):
    class Meta:
        model = Bill
        fields = [
            "id",
            "supplier",
            "supplier_code",
            "reference",
            "description",
            "date",
            "due_date",
            "currency",
            "original_amount",
            "open_amount",
            "settled_on",
            "connection",
            "superseded_by",
            "paid_by",
        ]
        read_only_fields = fields


class BillFilter(filters.FilterSet):
    open = filters.BooleanFilter(method="filter_open", help_text="True: still to pay; false: settled.")
    supplier = filters.CharFilter(lookup_expr="icontains", help_text="The supplier's name contains this.")
    due_from = filters.DateFilter(field_name="due_date", lookup_expr="gte", help_text="Due on or after this day.")
    due_to = filters.DateFilter(field_name="due_date", lookup_expr="lte", help_text="Due on or before this day.")

    class Meta:
        model = Bill
        fields = ["open", "supplier", "due_from", "due_to", "currency", "connection"]

    def filter_open(self, queryset: BillQuerySet, name: str, value: bool | None) -> BillQuerySet:
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open().values("pk"))


class BillViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet[Bill]):
    queryset = Bill.objects.all()
    serializer_class = BillSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = BillFilter
