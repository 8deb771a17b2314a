"""Calls made to providers, counted against their daily quotas."""

from __future__ import annotations

from django.db import models

from integrations.models.connections import Connection


class QuotaUsage(models.Model):
    """Calls made to a provider per quota domain (a Yuki domain) and day, and by which connection."""

    provider = models.CharField(max_length=16)
    domain = models.CharField(max_length=64)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="quota_usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "domain", "connection", "day"], name="quota_usage_unique_day")
        ]
        indexes = [models.Index(fields=["provider", "domain", "day"], name="quota_domain_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.domain} {self.day}: {self.calls}"
