"""`/api/v1/delivery-notes/`: delivery notes (challans), checked by the delivery note screen's
form and lines, and turned into a draft invoice by an action."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from api.views.base import OrganizationViewSet
from invoices import services
from invoices.api.fields import IdFilter, OwnObjectField
from invoices.api.invoices import InvoiceSerializer, InvoiceViewSet
from invoices.api.lines import DeliveredLineSerializer, checked, posted_lines
from invoices.forms import ChallanForm, ChallanLineFormSet
from invoices.models import Challan, ChallanItem, Client
from invoices.models.profile import offered_rates

_FORM_FIELDS = ["client", "date", "delivery_address", "notes"]


class DeliveryNoteSerializer(serializers.ModelSerializer[Challan]):
    client = OwnObjectField(queryset=Client.objects.filter(is_active=True))
    client_name = serializers.CharField(source="client.name", read_only=True)
    lines = DeliveredLineSerializer(many=True, source="items")

    class Meta:
        model = Challan
        fields = ["id", "number", "client", "client_name", "date", "delivery_address", "notes", "lines", "invoice"]
        read_only_fields = ["id", "number", "invoice"]
        extra_kwargs = {"invoice": {"help_text": "The invoice made from it, if any."}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organization = self.context["organization"]
        values = {name: attrs.get(name, "") for name in _FORM_FIELDS}
        data = {**values, "client": attrs["client"].pk} | posted_lines(attrs["items"])
        form = ChallanForm(data, organization=organization)
        formset = ChallanLineFormSet(data, prefix="lines", form_kwargs={"rates": offered_rates(organization)})
        return {"lines": checked(form, formset), **form.cleaned_data}

    def save(self, **kwargs: Any) -> Challan:
        request = self.context["request"]
        self.instance = services.create_challan(
            organization=self.context["organization"],
            actor=request.user,
            request=request._request,
            **self.validated_data,
        )
        return self.instance


class DeliveryNoteFilter(filters.FilterSet):
    client = IdFilter(field_name="client_id")
    invoiced = filters.BooleanFilter(field_name="invoice", lookup_expr="isnull", exclude=True)
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Challan
        fields = ["client"]


class DeliveryNoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrganizationViewSet[Challan],
):
    queryset = Challan.objects.select_related("client").prefetch_related(
        Prefetch("items", queryset=ChallanItem.objects.order_by("position", "id"))
    )
    serializer_class = DeliveryNoteSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = DeliveryNoteFilter
    ordering_fields = ["id", "date"]

    @extend_schema(
        request=None, responses={201: OpenApiResponse(InvoiceSerializer, description="The new draft invoice.")}
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request: Request, pk: str) -> Response:
        """Turn the delivery note into a draft invoice of its lines, dated today."""
        made = services.convert_challan_to_invoice(self.get_object(), actor=self.actor, request=request._request)
        fresh = InvoiceViewSet.queryset.get(pk=made.pk)
        return Response(InvoiceSerializer(fresh, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)
