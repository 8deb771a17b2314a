"""`/api/v1/clients/`: the organisation's clients, checked by the same form as the client screen."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers
from rest_framework.filters import OrderingFilter

from api.forms import clean_with, form_data
from api.views.base import OrganizationViewSet
from invoices.forms import ClientForm
from invoices.models import Client, ClientBankAccount
from invoices.models.profile import DOCUMENT_LANGUAGES
from invoices.services import clients as services

_FORM_FIELDS = list(ClientForm.Meta.fields)


class ClientSerializer(serializers.ModelSerializer[Client]):
    ibans = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="The client's IBANs, to recognise its bank payments.",
    )
    language = serializers.ChoiceField(choices=DOCUMENT_LANGUAGES, required=False)
    # As the client form takes it: written as people do, stored in E.164 (+32470123456).
    whatsapp_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The client's WhatsApp number with its country code; required when preferred_channel is whatsapp.",
    )

    class Meta:
        model = Client
        fields = ["id", *_FORM_FIELDS, "ibans", "is_active", "created_at"]
        read_only_fields = ["id", "is_active", "created_at"]

    def to_representation(self, instance: Client) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["ibans"] = [account.iban for account in instance.bank_accounts.all()]
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        values = dict(attrs)
        ibans = values.pop("ibans", None)
        if ibans is None and self.instance is not None:
            ibans = [account.iban for account in self.instance.bank_accounts.all()]
        organization = self.context["organization"]
        client = self.instance or Client(
            organization=organization,
            language=services.new_client_language(organization, self.context["request"].user),
        )
        data = form_data(_FORM_FIELDS, values, client) | {"ibans": "\n".join(ibans or [])}
        form = ClientForm(data=data, instance=client, default_language=client.language)
        cleaned = clean_with(form)
        return {"form": form, "ibans": cleaned["ibans"]}

    def save(self, **kwargs: Any) -> Client:
        form: ClientForm = self.validated_data["form"]
        request = self.context["request"]
        self.instance = services.save_client(
            form.save(commit=False),
            organization=self.context["organization"],
            ibans=self.validated_data["ibans"],
            actor=request.user,
            request=request._request,
        )
        return self.instance


class ClientFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", help_text="Name, email, VAT number or IBAN contains this.")
    is_active = filters.BooleanFilter()
    country = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Client
        fields = ["q", "is_active", "country", "currency"]

    def search(self, queryset: QuerySet[Client], name: str, value: str) -> QuerySet[Client]:
        return queryset.search(value)  # type: ignore[attr-defined,no-any-return]


class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrganizationViewSet[Client],
):
    # all(): the plain QuerySet, whose prefetch_related the type stubs read right.
    queryset = Client.objects.all().prefetch_related(
        Prefetch("bank_accounts", queryset=ClientBankAccount.objects.order_by("iban"))
    )
    serializer_class = ClientSerializer
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = ClientFilter
    ordering_fields = ["id", "name", "created_at"]
