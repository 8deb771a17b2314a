"""Redis as the shared cache, failing open while Redis cannot be reached.

Every page reads the cache (memberships, dashboards, rate limits, sessions), so an outage of
Redis must cost speed, not availability: while Redis is down, reads miss, writes are dropped,
`add` reports success (a lock or counter that cannot be kept must not block anyone) and `incr`
finds no key. The first failure is logged as a warning; for the next `RETRY_SECONDS` the
process does not try Redis at all, so a page does not wait for a connection timeout on every
cache call. Sessions stay in the database (`cached_db`), so nobody is signed out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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

_T = TypeVar("_T")
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


def _fail_open(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """The cache method `name`, answering `fallback(*args)` while Redis is unreachable."""

    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        parent = getattr(super(ResilientRedisCache, self), name)
        return self.call_or_fall_back(name, lambda: parent(*args, **kwargs), lambda: fallback(*args, **kwargs))

    method.__name__ = name
    return method


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _no_such_key(key: Any, *args: Any, **kwargs: Any) -> Any:
    # What incr and decr raise for a missing key: callers already handle it.
    raise ValueError(f"Key {key!r} not found (the cache is unreachable)")


# django-redis has no type hints.
class ResilientRedisCache(RedisCache):  # type: ignore[misc]
    def call_or_fall_back(self, name: str, operation: Callable[[], _T], fallback: Callable[[], _T]) -> _T:
        if time.monotonic() < _down_until.get(self._server, 0.0):
            return fallback()
        try:
            result = operation()
        except OUTAGE_ERRORS as exc:
            self._mark_down(name, exc)
            return fallback()
        if self._server in _down_until:
            self._mark_up()
        return result

    def _mark_down(self, name: str, exc: Exception) -> None:
        with _state_lock:
            first = self._server not in _down_until
            _down_until[self._server] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache unreachable (%s during %s): serving without the cache, retrying every %.0f s",
                exc.__class__.__name__,
                name,
                RETRY_SECONDS,
            )

    def _mark_up(self) -> None:
        with _state_lock:
            was_down = _down_until.pop(self._server, None) is not None
        if was_down:
            logger.warning("Redis cache reachable again")

    get = _fail_open("get", _default)
    get_many = _fail_open("get_many", lambda *args, **kwargs: {})
    has_key = _fail_open("has_key", lambda *args, **kwargs: False)
    set = _fail_open("set", lambda *args, **kwargs: False)
    set_many = _fail_open("set_many", lambda data, *args, **kwargs: list(data))
    # A lock or a counter that cannot be kept must not block anyone.
    add = _fail_open("add", lambda *args, **kwargs: True)
    incr = _fail_open("incr", _no_such_key)
    decr = _fail_open("decr", _no_such_key)
    touch = _fail_open("touch", lambda *args, **kwargs: False)
    delete = _fail_open("delete", lambda *args, **kwargs: False)
    delete_many = _fail_open("delete_many", lambda *args, **kwargs: 0)
    delete_pattern = _fail_open("delete_pattern", lambda *args, **kwargs: 0)
    clear = _fail_open("clear", lambda *args, **kwargs: False)
