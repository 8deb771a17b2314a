"""`/api/v1/bank-accounts/`: the organisation's bank accounts, with their latest balances (read only)."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers

from api.views.base import OrganizationViewSet
from banking.models import BankAccount


class BankAccountSerializer(serializers.ModelSerializer[BankAccount]):
    class Meta:
        model = BankAccount
        fields = [
            "id",
            "name",
            "iban",
            "currency",
            "holder_name",
            "current_balance",
            "current_balance_date",
            "available_balance",
            "connection",
            "included",
            "synchronized_at",
        ]
        read_only_fields = fields
        extra_kwargs: dict[str, dict[str, Any]] = {
            "connection": {"help_text": "The id of the connection that feeds this account."},
            "current_balance_date": {"help_text": "When the bank reported the current balance."},
        }


class BankAccountFilter(filters.FilterSet):
    class Meta:
        model = BankAccount
        fields = ["connection", "currency", "included"]


class BankAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet[BankAccount]):
    queryset = BankAccount.objects.all()
    serializer_class = BankAccountSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = BankAccountFilter
