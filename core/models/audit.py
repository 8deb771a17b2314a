"""The append-only audit log: who did what, to what, when and from where."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast

from core.audit_labels import action_label
from core.models.tenancy import Membership, Organization


class AuditLogImmutableError(Exception):
    """Raised on any attempt to change or remove an audit event."""

    def __init__(self) -> None:
        super().__init__("Audit events are append-only: they cannot be changed or deleted.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, organization: Organization) -> AuditEventQuerySet:
        """The organisation's own events, and account events (sign-in, MFA) of its members
        from the moment they joined it: what a member did before, or elsewhere, is not its business."""
        member_since = (
            Membership.objects.filter(organization=organization, created_at__lte=OuterRef("created_at"))
            .annotate(user_key=Cast("user_id", models.CharField()))
            .filter(user_key=OuterRef("target_id"))
        )
        return self.filter(
            Q(organization=organization)
            | Q(Exists(member_since), organization__isnull=True, target_type=AuditEvent.USER_TARGET)
        )

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError

    def delete(self) -> NoReturn:
        raise AuditLogImmutableError


class AuditEvent(models.Model):
    USER_TARGET = "core.user"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept so the event still names its author after the account is deleted.
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="audit_org_created"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_email or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError

    @property
    def action_label(self) -> str:
        """The event name in words, in the active language."""
        return action_label(self.action)

    @property
    def before(self) -> dict[str, Any]:
        return dict(self.changes.get("before") or {})

    @property
    def after(self) -> dict[str, Any]:
        return dict(self.changes.get("after") or {})
