"""The organisation's data version, and the cache of aggregations keyed by it.

Every committed write that changes a figure bumps the version (after the commit, so a reader
never caches old numbers under the new version); a cached aggregation is keyed by the version
and today's date, so it is never served after a write, and a TTL bounds everything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dashboards.models import DashboardState


class _Bump:
    """An on-commit callback; one per organisation per transaction."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.done = False

    def __call__(self) -> None:
        self.done = True
        updated = DashboardState.objects.filter(organization_id=self.organization_id).update(
            data_version=F("data_version") + 1
        )
        if not updated:
            DashboardState.objects.get_or_create(organization_id=self.organization_id, defaults={"data_version": 2})


def bump(organization_id: int) -> None:
    """Move the organisation's data version on once the current transaction commits."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Bump) and callback.organization_id == organization_id and not callback.done
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Bump(organization_id))


def state_for(organization_id: int) -> DashboardState:
    state, _ = DashboardState.objects.get_or_create(organization_id=organization_id)
    return state


def cache_key(organization_id: int, version: int, name: str, params: str) -> str:
    # The parameters come from the URL: a digest keeps the key short and free of control characters.
    digest = hashlib.sha256(params.encode()).hexdigest()
    return f"dash:{organization_id}:{version}:{timezone.localdate().isoformat()}:{name}:{digest}"


T = TypeVar("T")


def cached(key: str, compute: Callable[[], T]) -> T:
    """What is cached under `key`; on a miss, `compute()`, kept for DASHBOARD_CACHE_SECONDS."""
    return cast(T, cache.get_or_set(key, compute, settings.DASHBOARD_CACHE_SECONDS))
