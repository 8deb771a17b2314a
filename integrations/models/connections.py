"""A customer's link to a provider, and the secrets that keep it working."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from core.fields import EncryptedTextField
from core.models import TenantModel, TenantQuerySet

# After this many failures in a row the connection is shown as failing and owners are told.
FAILURE_ALERT_THRESHOLD = 3


def banners_cache_key(organization_id: int) -> str:
    """Where `integrations.banners` keeps an organisation's connection banners; only
    `Connection._save_shown` clears it."""
    return f"connection-notices:v2:{organization_id}"  # v2: names put in words per request


class Provider(models.TextChoices):
    PONTO = "ponto", "Ponto"
    YUKI = "yuki", "Yuki"


def connection_name(display_name: str, provider: str) -> str:
    """What a connection is called on screen: its name, else its provider's, in the active language."""
    return display_name or gettext("%(provider)s connection") % {"provider": Provider(provider).label}


class ConnectionStatus(models.TextChoices):
    # A context per label: "Active" and "Error" name other things elsewhere, in other genders.
    PENDING = "pending", pgettext_lazy("connection status", "Waiting for consent")
    ACTIVE = "active", pgettext_lazy("connection status", "Active")
    NEEDS_REAUTH = "needs_reauth", pgettext_lazy("connection status", "Needs re-authorisation")
    ERROR = "error", pgettext_lazy("connection status", "Error")
    DISCONNECTED = "disconnected", pgettext_lazy("connection status", "Disconnected")


def counted_q(prefix: str = "") -> models.Q:
    """The connections whose data the figures count: linked and synced. A pending consent, a
    connection that failed before its first sync, and a disconnected one count nothing."""
    return models.Q(**{f"{prefix}status__in": [ConnectionStatus.ACTIVE, ConnectionStatus.NEEDS_REAUTH]}) | models.Q(
        **{f"{prefix}status": ConnectionStatus.ERROR, f"{prefix}last_success_at__isnull": False}
    )


class ConnectionQuerySet(TenantQuerySet["Connection"]):
    def live(self) -> ConnectionQuerySet:
        return self.exclude(status=ConnectionStatus.DISCONNECTED)

    def counted(self) -> ConnectionQuerySet:
        return self.filter(counted_q())

    def needing_attention(self) -> ConnectionQuerySet:
        return self.filter(
            models.Q(status=ConnectionStatus.NEEDS_REAUTH)
            | models.Q(status=ConnectionStatus.ERROR)
            | models.Q(consecutive_failures__gte=FAILURE_ALERT_THRESHOLD)
        ).exclude(status=ConnectionStatus.DISCONNECTED)


class Connection(TenantModel):
    provider = models.CharField(max_length=16, choices=Provider.choices)
    status = models.CharField(max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.PENDING)
    display_name = models.CharField(max_length=200, blank=True)
    # The provider's id for what was linked (the Ponto organisation, the Yuki administration).
    external_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_class = models.CharField(max_length=16, blank=True)
    sync_interval_minutes = models.PositiveIntegerField(default=360)
    next_run_at = models.DateTimeField(null=True, blank=True)
    consent_expires_at = models.DateTimeField(null=True, blank=True)
    # The claim that makes one sync at a time: set by a conditional UPDATE, cleared at the end.
    sync_claimed_at = models.DateTimeField(null=True, blank=True)
    sync_claim = models.UUIDField(null=True, blank=True)
    # Provider-specific choices: Yuki's region, administration, domain and GL accounts.
    config = models.JSONField(default=dict, blank=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "created_at"]
        indexes = [models.Index(fields=["status", "next_run_at"], name="connection_due")]

    def __str__(self) -> str:
        return connection_name(self.display_name, self.provider)

    def get_absolute_url(self) -> str:
        return reverse("integrations:connection_detail", args=[self.pk])

    @property
    def is_counted(self) -> bool:
        return self.status in (ConnectionStatus.ACTIVE, ConnectionStatus.NEEDS_REAUTH) or (
            self.status == ConnectionStatus.ERROR and self.last_success_at is not None
        )

    @property
    def is_failing(self) -> bool:
        return self.consecutive_failures >= FAILURE_ALERT_THRESHOLD

    def set_status(self, status: str, **changes: Any) -> None:
        """Store the status and the fields that change with it (failures, error, next run...)."""
        self._save_shown(status=status, **changes)

    def set_consent_expiry(self, expires_at: datetime.datetime | None) -> None:
        self._save_shown(consent_expires_at=expires_at)

    def _save_shown(self, **changes: Any) -> None:
        """Save fields the connection banners show, then drop the organisation's cached banners
        once the change is committed (earlier, a page could cache the state being replaced)."""
        for name, value in changes.items():
            setattr(self, name, value)
        self.save(update_fields=None if self._state.adding else list(changes))
        key = banners_cache_key(self.organization_id)
        transaction.on_commit(lambda: cache.delete(key))

    def consent_expires_soon(self, within: datetime.timedelta = datetime.timedelta(days=14)) -> bool:
        return self.consent_expires_at is not None and self.consent_expires_at - timezone.now() < within


class Credential(models.Model):
    """Tokens and keys of one connection, encrypted at rest. Lock the row before refreshing."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="credential")
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=200, blank=True)
    api_key = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"credentials of connection {self.connection_id}"
