"""The organisation's data version, and the cache of aggregations keyed by it.

Every committed write that changes a figure bumps the version (after the commit, so a reader
never caches old numbers under the new version); a cached aggregation is keyed by the version,
today's date and the active language (titles, labels and number formats are written in it), so
it is never served after a write nor in another language, and a TTL bounds everything else.

Because the key moves with every write, a copy of an entry in one process's memory is never
stale either: a repeat view reads it there (core.memory), without a round trip to Redis. That
copy is kept for a minute, so it outlives the shared entry's TTL by at most that.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django_q.tasks import async_task

from core.memory import memory
from dashboards.models import DashboardState

logger = logging.getLogger(__name__)


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
        precompute(self.organization_id)


def precompute(organization_id: int) -> None:
    """Queue the overview's expensive parts for the new version (dashboards.tasks). Optional:
    when the queue refuses, the first request computes them, so the write that bumped stands."""
    if not settings.DASHBOARD_PRECOMPUTE:
        return
    try:
        async_task("dashboards.tasks.precompute_open_items", organization_id)
    except Exception:
        logger.exception("Could not queue the dashboards' precompute for organisation %s", organization_id)


def bump(organization_id: int) -> None:
    """Move the organisation's data version on once the current transaction commits."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(callback, _Bump) and callback.organization_id == organization_id and not callback.done
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Bump(organization_id))


# Every dashboard request reads this row: as raw SQL (the model's own table and column), which
# skips the ORM's query building and compiling, more than half of the lookup's cost.
_STATE_SQL = "SELECT * FROM {table} WHERE {column} = %s".format(  # noqa: S608  (the model's own names)
    table=DashboardState._meta.db_table, column=DashboardState._meta.get_field("organization").column
)


def state_for(organization_id: int) -> DashboardState:
    state = next(iter(DashboardState.objects.raw(_STATE_SQL, [organization_id])), None)
    if state is None:  # the organisation's first: create it, or read what a concurrent request created
        try:
            with transaction.atomic():
                state = DashboardState.objects.create(organization_id=organization_id)
        except IntegrityError:
            state = DashboardState.objects.get(organization_id=organization_id)
    return state


def cache_key(organization_id: int, version: int, name: str, params: str, *, per_language: bool = True) -> str:
    """The key of an aggregation under this data version, today and (unless it holds no text)
    the active language."""
    # The parameters come from the URL: a digest keeps the key short and free of control characters.
    digest = hashlib.sha256(params.encode()).hexdigest()
    language = (get_language() or settings.LANGUAGE_CODE) if per_language else "-"
    return f"dash:{organization_id}:{version}:{timezone.localdate().isoformat()}:{language}:{name}:{digest}"


T = TypeVar("T")
MEMORY_SECONDS = 60


def remembered(key: str) -> Any | None:
    """What is cached under `key` (a `cache_key`): from this process's memory, else from the
    shared cache (and kept in memory); None when neither has it."""
    value = memory.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            memory.set(key, value, MEMORY_SECONDS)
    return value


def remember(key: str, value: Any, seconds: int | None = None) -> None:
    """Keep `value` under `key` (a `cache_key`) for `seconds` (DASHBOARD_CACHE_SECONDS unless
    given), and in memory."""
    cache.set(key, value, settings.DASHBOARD_CACHE_SECONDS if seconds is None else seconds)
    memory.set(key, value, MEMORY_SECONDS)


def cached(key: str, compute: Callable[[], T], seconds: int | None = None) -> T:
    """What is cached under `key` (a `cache_key`); on a miss, `compute()`, kept."""
    value = remembered(key)
    if value is None:
        value = compute()
        remember(key, value, seconds)
    return cast(T, value)
