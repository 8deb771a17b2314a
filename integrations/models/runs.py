"""One attempt to sync a connection: what it fetched, what it changed, how it ended."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from integrations.models.connections import Connection


class SyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", pgettext_lazy("sync trigger", "Schedule")
    MANUAL = "manual", pgettext_lazy("sync trigger", "Manual")
    WEBHOOK = "webhook", pgettext_lazy("sync trigger", "Webhook")


class SyncStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("sync status", "Running")
    SUCCESS = "success", pgettext_lazy("sync status", "Succeeded")
    FAILED = "failed", pgettext_lazy("sync status", "Failed")


class SyncRun(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, choices=SyncTrigger.choices)
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages_fetched = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    error_class = models.CharField(max_length=16, blank=True)
    error_message = models.TextField(blank=True)
    request_ids = models.JSONField(default=list)
    # The steps of banking.pipeline.after_sync that failed after this run: [{"step": ..., "error": ...}].
    after_sync_failures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "-started_at"], name="sync_run_connection")]

    def __str__(self) -> str:
        return f"{self.connection} {self.trigger} {self.status} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def after_sync_summary(self) -> str:
        """The failed post-sync steps and why, on one line ("" when all succeeded)."""
        return "; ".join(f"{failure['step']}: {failure['error']}" for failure in self.after_sync_failures)
