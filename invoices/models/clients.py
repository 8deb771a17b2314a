"""Clients: who is invoiced, where, on what terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel, TenantQuerySet
from core.validators import normalize_iban
from invoices.models.parties import RegisteredCompany
from invoices.models.profile import COUNTRY_LANGUAGES, DOCUMENT_LANGUAGES
from invoices.money import ZERO
from messaging.phone import normalize_e164

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


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

    def with_figures(self) -> ClientQuerySet:
        """Each client's invoice count, totals invoiced and paid, and outstanding balance: issued,
        active invoices in the client's own currency (balances per currency are on the client page)."""
        # Invoice's module imports this one, so its statuses are read when the query is built.
        from invoices.models.invoices import OPEN_STATUSES, InvoiceStatus

        issued = (
            ~Q(invoices__status__in=(InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED))
            & Q(invoices__is_active=True)
            & Q(invoices__currency=F("currency"))
        )
        return self.annotate(
            invoice_count=Count("invoices", filter=issued),
            total_invoiced=Coalesce(Sum("invoices__total", filter=issued), ZERO, output_field=_MONEY),
            total_paid=Coalesce(Sum("invoices__amount_paid", filter=issued), ZERO, output_field=_MONEY),
            outstanding=Coalesce(
                Sum("invoices__balance_due", filter=issued & Q(invoices__status__in=OPEN_STATUSES)),
                ZERO,
                output_field=_MONEY,
            ),
        )


class Channel(models.TextChoices):
    """How invoices and reminders reach the client."""

    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")


def default_document_language(organization_country: str, user_language: str) -> str:
    """The language a new client's documents are written in unless the user picks another: the
    one the organisation's country speaks (the Netherlands, Luxembourg), else, in a country of
    several languages (Belgium), the language of the user creating the client, else English."""
    if organization_country.upper() in COUNTRY_LANGUAGES:
        return COUNTRY_LANGUAGES[organization_country.upper()]
    code = user_language[:2]
    return code if code in dict(DOCUMENT_LANGUAGES) else "en"


class Client(RegisteredCompany, TenantModel):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, db_index=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, default="BE", help_text=_("ISO country code, e.g. BE, NL, LU")
    )
    # The language of the PDFs and emails the client receives.
    language = models.CharField(
        _("document language"),
        max_length=2,
        choices=DOCUMENT_LANGUAGES,
        default="en",
        help_text=_("Invoices, credit notes and emails to this client are written in it."),
    )
    preferred_channel = models.CharField(
        _("send invoices by"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # E.164 (+32470123456), normalised by the client form (phonenumbers); required for WhatsApp.
    whatsapp_number = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    _whatsapp_number_refused = False
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    opening_balance = models.DecimalField(
        _("opening balance"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    notes = models.TextField(_("notes"), blank=True)
    # The contact's code in the bookkeeping (Yuki), to match imported documents.
    external_code = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "name"], name="client_org_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("invoices:client_detail", args=[self.pk])

    def full_clean(
        self, exclude: Iterable[str] | None = None, validate_unique: bool = True, validate_constraints: bool = True
    ) -> None:
        # A form leaves out of the model's checks the fields it already found wrong: a mistyped
        # WhatsApp number then gets its own error only, not also "add the number".
        exclude = set(exclude or ())
        self._whatsapp_number_refused = "whatsapp_number" in exclude
        super().full_clean(exclude or None, validate_unique, validate_constraints)

    def clean(self) -> None:
        super().clean()
        if re.fullmatch(r"[A-Z]{2}", self.country):
            ids = self.business_ids.normalized()
            self.vat_number, self.enterprise_number, self.peppol_id = (
                ids.vat_number,
                ids.enterprise_number,
                ids.peppol_id,
            )
        self._clean_whatsapp_number()

    def _clean_whatsapp_number(self) -> None:
        if self._whatsapp_number_refused:
            return
        if self.whatsapp_number.strip():
            try:
                self.whatsapp_number = normalize_e164(self.whatsapp_number, self.country)
            except ValidationError as exc:
                raise ValidationError({"whatsapp_number": exc.messages}) from exc
        else:
            self.whatsapp_number = ""
        if self.preferred_channel == Channel.WHATSAPP and not self.whatsapp_number:
            raise ValidationError(
                {"whatsapp_number": gettext("Add the client's WhatsApp number to send invoices by WhatsApp.")}
            )

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
