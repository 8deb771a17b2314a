"""Gapless document numbers per organisation, series and year: INV-2026-0001."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.models import Organization


class Series(models.TextChoices):
    INVOICE = "INV", _("Invoice")
    CREDIT_NOTE = "CN", _("Credit note")
    CHALLAN = "DN", _("Delivery note")


class DocumentSequence(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=4, choices=Series.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "series", "year"], name="sequence_unique_series_year")
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year} at {self.last_number}"


def next_number(organization: Organization, series: Series, year: int) -> tuple[str, int]:
    """Take the next number of the series. Call inside the transaction that creates the
    document: the row stays locked until it commits, and a rollback gives the number back."""
    sequence, _ = DocumentSequence.objects.select_for_update().get_or_create(
        organization=organization, series=series, year=year
    )
    DocumentSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    sequence.refresh_from_db(fields=["last_number"])
    return f"{series.value}-{year}-{sequence.last_number:04d}", sequence.last_number
