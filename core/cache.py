"""Redis as the shared cache, failing open while Redis cannot be reached.

Every page reads the cache (memberships, dashboards, rate limits, sessions), so an outage of
Redis must cost speed, not availability: while Redis is down, reads miss, writes are dropped,
`add` reports success (a lock or counter that cannot be kept must not block anyone) and `incr`
finds no key. The first failure is logged as a warning; for the next `RETRY_SECONDS` (option
of the cache) the process does not try Redis at all, so a page does not wait for a connection
timeout on every cache call.

A write dropped during the outage would leave the value from before it in Redis: a session
signed out, a membership removed, a role changed. So the process remembers the keys of the
writes it dropped and, before it uses Redis again, deletes them there: what was cached before
the outage cannot come back stale. (A worker restarted during the outage forgets its list; the
entries it wrote then expire on their own timeouts.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import redis.exceptions
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    ConnectionInterrupted,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_SECONDS = 5.0
# Beyond this many dropped writes the process stops remembering them (and says so).
MAX_REMEMBERED_KEYS = 100_000

_T = TypeVar("_T")


class _Outage:
    """One process's view of one Redis server: down until when, and the writes it dropped."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until: float | None = None
        self.dropped: set[Any] = set()
        self.overflowed = False


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(server: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(server, _Outage())


def _fail_open(name: str, fallback: Callable[..., Any], written: Callable[..., Iterable[Any]] | None = None) -> Any:
    """The cache method `name`, answering `fallback(*args)` while Redis is unreachable;
    `written(*args)` names the keys a write would have changed."""

    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        parent = getattr(super(ResilientRedisCache, self), name)
        keys = written(*args, **kwargs) if written is not None else ()
        return self.call_or_fall_back(
            name, lambda: parent(*args, **kwargs), lambda: fallback(*args, **kwargs), dropped_keys=keys
        )

    method.__name__ = name
    return method


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _no_such_key(key: Any, *args: Any, **kwargs: Any) -> Any:
    # What incr and decr raise for a missing key: callers already handle it.
    raise ValueError(f"Key {key!r} not found (the cache is unreachable)")


def _first_key(key: Any, *args: Any, **kwargs: Any) -> Iterable[Any]:
    return (key,)


def _all_keys(keys: Iterable[Any], *args: Any, **kwargs: Any) -> Iterable[Any]:
    return list(keys)


# django-redis has no type hints.
class ResilientRedisCache(RedisCache):  # type: ignore[misc]
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.retry_seconds = float(params.get("OPTIONS", {}).get("RETRY_SECONDS", RETRY_SECONDS))
        self._outage = _outage_of(server)

    def call_or_fall_back(
        self, name: str, operation: Callable[[], _T], fallback: Callable[[], _T], dropped_keys: Iterable[Any] = ()
    ) -> _T:
        down_until = self._outage.down_until
        if down_until is not None and (time.monotonic() < down_until or not self._recover()):
            self._remember(dropped_keys)
            return fallback()
        try:
            return operation()
        except OUTAGE_ERRORS as exc:
            self._mark_down(name, exc)
            self._remember(dropped_keys)
            return fallback()

    def _remember(self, keys: Iterable[Any]) -> None:
        outage = self._outage
        with outage.lock:
            for key in keys:
                if len(outage.dropped) >= MAX_REMEMBERED_KEYS:
                    outage.overflowed = True
                    break
                outage.dropped.add(key)

    def _mark_down(self, name: str, exc: Exception) -> None:
        outage = self._outage
        with outage.lock:
            first = outage.down_until is None
            outage.down_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "Redis cache unreachable (%s during %s): serving without the cache, retrying every %.0f s",
                exc.__class__.__name__,
                name,
                self.retry_seconds,
            )

    def _recover(self) -> bool:
        """Delete in Redis what was written while it was down; True once Redis is back."""
        outage = self._outage
        with outage.lock:
            dropped, overflowed = list(outage.dropped), outage.overflowed
        try:
            # A ping first: deleting nothing would not prove Redis answers.
            self.client.get_client(write=True).ping()
            for start in range(0, len(dropped), 1000):
                super().delete_many(dropped[start : start + 1000])
        except OUTAGE_ERRORS as exc:
            self._mark_down("recovery", exc)
            return False
        with outage.lock:
            outage.dropped.difference_update(dropped)
            outage.down_until = None
            outage.overflowed = False
        logger.warning("Redis cache reachable again: %s entries written during the outage cleared", len(dropped))
        if overflowed:
            logger.warning("More writes were dropped than remembered: some entries may be stale until they expire")
        return True

    get = _fail_open("get", _default)
    get_many = _fail_open("get_many", lambda *args, **kwargs: {})
    has_key = _fail_open("has_key", lambda *args, **kwargs: False)
    set = _fail_open("set", lambda *args, **kwargs: False, _first_key)
    set_many = _fail_open("set_many", lambda data, *args, **kwargs: list(data), _all_keys)
    # A lock or a counter that cannot be kept must not block anyone.
    add = _fail_open("add", lambda *args, **kwargs: True, _first_key)
    incr = _fail_open("incr", _no_such_key, _first_key)
    decr = _fail_open("decr", _no_such_key, _first_key)
    touch = _fail_open("touch", lambda *args, **kwargs: False, _first_key)
    delete = _fail_open("delete", lambda *args, **kwargs: False, _first_key)
    delete_many = _fail_open("delete_many", lambda *args, **kwargs: 0, _all_keys)
    delete_pattern = _fail_open("delete_pattern", lambda *args, **kwargs: 0)
    clear = _fail_open("clear", lambda *args, **kwargs: False)
