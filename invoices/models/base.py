"""What every billing document shares: tenancy, soft delete, timestamps."""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models

from core.models import TenantModel, TenantQuerySet

_M = TypeVar("_M", bound=models.Model)


class SoftDeleteQuerySet(TenantQuerySet[_M]):
    def deleted(self) -> Self:
        return self.filter(is_active=False)


class ActiveManager(models.Manager[_M]):
    """The default manager: soft-deleted rows are hidden everywhere in the app."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(is_active=True)


class BillingDocument(TenantModel):
    """Concrete documents declare two managers: `objects = ActiveManager.from_queryset(…)()`,
    which hides soft-deleted rows, and `all_objects`, through which admins see and restore them."""

    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def summary(self) -> str:
        """The document as a person reads it, in the active language. `__str__` stays one fixed
        text: the audit log and the admin keep it whoever acted."""
        return str(self)
