"""What every billing document shares: tenancy, soft delete, timestamps."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from core.models import TenantModel, TenantQuerySet


class SoftDeleteQuerySet(TenantQuerySet[Any]):
    def deleted(self) -> SoftDeleteQuerySet:
        return self.filter(is_active=False)


class ActiveManager(models.Manager[Any]):
    """The default manager: soft-deleted rows are hidden everywhere in the app."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(is_active=True)


class BillingDocument(TenantModel):
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ActiveManager.from_queryset(SoftDeleteQuerySet)()
    # Admins see and restore soft-deleted rows through this one.
    all_objects: ClassVar[Any] = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True
