"""The organisation's products and services: what it sells often, at what price and VAT, so an
invoice line is filled by picking one instead of typing it again."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel, TenantQuerySet
from invoices.vat import VatCategory


class ProductQuerySet(TenantQuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(is_active=True)


class Product(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    # What an invoice line says; empty: the name.
    description = models.CharField(
        _("line description"),
        max_length=300,
        blank=True,
        help_text=_("What an invoice line says when the product is picked. Empty: the name."),
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("Hour, day, kg, piece…"))
    vat_rate = models.DecimalField(
        _("VAT %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    # Archived products stay on the invoices that used them but are no longer offered.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "is_active", "name"], name="product_org_active_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("invoices:product_edit", args=[self.pk])

    @property
    def line_description(self) -> str:
        return self.description or self.name
