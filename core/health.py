"""Liveness and readiness probes: JSON, no authentication, no secrets, 200 or 503."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

Check = Callable[[], None]


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_migrations() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied")


def check_broker() -> None:
    from django_q.brokers import get_broker

    if not get_broker().ping():
        raise RuntimeError("queue broker did not answer")


def _run(checks: dict[str, Check], *, degrading: tuple[str, ...] = ()) -> JsonResponse:
    """Run the checks: 503 if any fails, except those in `degrading`, which only say so."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:
            # The reason goes to the log, not to the anonymous caller.
            logger.warning("health check %s failed: %s", name, exc.__class__.__name__, exc_info=True)
            results[name] = "failing"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for name, value in results.items() if name not in degrading)
    status = ("ok" if all(value == "ok" for value in results.values()) else "degraded") if healthy else "unavailable"
    response = JsonResponse({"status": status, "checks": results}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def health(request: HttpRequest) -> JsonResponse:
    # Liveness: the pages work without the cache (core.cache fails open), so a Redis outage
    # must not make the platform restart every instance; readiness still says 503.
    return _run({"database": check_database, "cache": check_cache}, degrading=("cache",))


def readiness(request: HttpRequest) -> JsonResponse:
    return _run(
        {
            "database": check_database,
            "cache": check_cache,
            "migrations": check_migrations,
            "broker": check_broker,
        }
    )
