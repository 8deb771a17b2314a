"""The organisation's own details as printed on its documents, its logo, and its reminder schedule."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Organization
from invoices.models.parties import RegisteredCompany
from invoices.vat import vat_rates_for

# The languages a document can be written in, and the one a country's clients most likely read.
DOCUMENT_LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
COUNTRY_LANGUAGES = {"NL": "nl", "LU": "fr", "FR": "fr"}


def default_reminder_offsets() -> list[int]:
    return [-3, 0, 7, 14]


class BillingProfile(RegisteredCompany):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_profile")
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="BE",
        help_text=_("Two-letter code (BE, NL, LU): it decides the VAT rates your invoice lines offer."),
    )
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    invoice_footer = models.CharField(_("invoice footer"), max_length=300, blank=True)
    reminder_offsets = models.JSONField(
        _("reminder days"),
        default=default_reminder_offsets,
        help_text=_("Days relative to the due date on which to remind: -3 is three days before."),
    )
    send_reminders = models.BooleanField(_("send reminders"), default=True)
    # In the database rather than on disk: the web service's disk is wiped on every deploy. Checked
    # and re-encoded by Pillow on upload (invoices.forms.LogoField), so only image data is kept.
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("billing profile")
        verbose_name_plural = _("billing profiles")

    def __str__(self) -> str:
        return self.legal_name or str(self.organization_id)

    @property
    def display_name(self) -> str:
        return self.legal_name or self.organization.name

    @property
    def address_lines(self) -> list[str]:
        city = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.address_line1, self.address_line2, city, self.country) if line]

    @property
    def logo_bytes(self) -> bytes:
        return bytes(self.logo) if self.logo else b""


def offered_rates(organization: Organization, keep: Iterable[Decimal] = ()) -> list[Decimal]:
    """The VAT rates a line may carry: the organisation's country's, and those in `keep` (the
    rates already on the document, which stay valid when it is edited)."""
    country = BillingProfile.objects.filter(organization=organization).values_list("country", flat=True).first()
    return vat_rates_for(country or "BE", keep=keep)
