"""Document lines: quantity x unit price with a VAT rate, amounts fixed when saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel
from invoices.money import line_amounts
from invoices.vat import VatCategory, VatLine

# What a line's VAT group is read from: vat_line's fields.
VAT_LINE_FIELDS = ("vat_category", "vat_rate", "net_amount", "vat_exemption_reason", "vat_amount")


class LineItem(TenantModel):
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2, default=Decimal("21.00"))
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    # Why no VAT is charged (an exempt line must say; reverse charge and the like have a standard text).
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=300, blank=True)
    net_amount = models.DecimalField(_("net amount"), max_digits=14, decimal_places=2, editable=False)
    vat_amount = models.DecimalField(_("VAT amount"), max_digits=14, decimal_places=2, editable=False)
    gross_amount = models.DecimalField(_("gross amount"), max_digits=14, decimal_places=2, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def vat_line(self) -> VatLine:
        return VatLine(self.vat_category, self.vat_rate, self.net_amount, self.vat_exemption_reason, self.vat_amount)

    def compute_amounts(self) -> None:
        amounts = line_amounts(self.quantity, self.unit_price, self.vat_rate)
        self.net_amount, self.vat_amount, self.gross_amount = amounts.net, amounts.vat, amounts.gross

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.compute_amounts()
        super().save(*args, **kwargs)
