"""Clients: who is invoiced, where, on what terms."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import TenantModel, TenantQuerySet

_SPACES = re.compile(r"\s+")


def normalize_iban(value: str) -> str:
    return _SPACES.sub("", value).upper()


class ClientQuerySet(TenantQuerySet["Client"]):
    def search(self, text: str) -> ClientQuerySet:
        text = text.strip()
        if not text:
            return self
        compact = normalize_iban(text)
        return self.filter(
            Q(name__icontains=text)
            | Q(email__icontains=text)
            | Q(vat_number__icontains=compact)
            | Q(bank_accounts__iban__contains=compact)
        ).distinct()


class Client(TenantModel):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    vat_number = models.CharField("VAT number", max_length=20, blank=True, db_index=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="BE", help_text="ISO country code, e.g. BE, NL, LU")
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    currency = models.CharField(max_length=3, default="EUR")
    opening_balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    notes = models.TextField(blank=True)
    # The contact's code in the bookkeeping (Yuki), to match imported documents.
    external_code = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "name"], name="client_org_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("invoices:client_detail", args=[self.pk])

    @property
    def address_lines(self) -> list[str]:
        city = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.address_line1, self.address_line2, city, self.country) if line]


class ClientBankAccount(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="bank_accounts")
    iban = models.CharField("IBAN", max_length=34)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "iban"], name="client_iban_unique")]
        indexes = [models.Index(fields=["organization", "iban"], name="client_iban_lookup")]

    def __str__(self) -> str:
        return self.iban

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.iban = normalize_iban(self.iban)
        super().save(*args, **kwargs)
