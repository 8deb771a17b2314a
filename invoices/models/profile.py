"""The organisation's own details as printed on its documents, and its reminder schedule."""

from __future__ import annotations

from django.db import models

from core.models import Organization
from invoices.models.parties import RegisteredCompany


def default_reminder_offsets() -> list[int]:
    return [-3, 0, 7, 14]


class BillingProfile(RegisteredCompany):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_profile")
    legal_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="BE")
    vat_number = models.CharField("VAT number", max_length=20, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    invoice_footer = models.CharField(max_length=300, blank=True)
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        help_text="Days relative to the due date on which to remind: -3 is three days before.",
    )
    send_reminders = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.legal_name or str(self.organization_id)

    @property
    def display_name(self) -> str:
        return self.legal_name or self.organization.name

    @property
    def address_lines(self) -> list[str]:
        city = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.address_line1, self.address_line2, city, self.country) if line]
