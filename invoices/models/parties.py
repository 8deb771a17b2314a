"""What a party to an invoice is registered under: the organisation and each client alike."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.business_ids import BusinessIds


class RegisteredCompany(models.Model):
    """A company's register number and Peppol ID, beside the `country` and `vat_number` the
    concrete model declares."""

    country: str
    vat_number: str

    enterprise_number = models.CharField(
        _("enterprise number"),
        max_length=20,
        blank=True,
        help_text=_("KBO/BCE number in Belgium (0477.472.701), KvK number in the Netherlands."),
    )
    peppol_id = models.CharField(
        _("Peppol ID"),
        max_length=64,
        blank=True,
        help_text=_(
            "Only when it is not the usual one: 0208 and the enterprise number in Belgium, "
            "0106 and the KvK number in the Netherlands."
        ),
    )

    class Meta:
        abstract = True

    @property
    def business_ids(self) -> BusinessIds:
        return BusinessIds(self.country, self.vat_number, self.enterprise_number, self.peppol_id)
