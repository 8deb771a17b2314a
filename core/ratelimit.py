"""A cache-backed rate limit for our own endpoints (allauth limits sign-in and sign-up itself).

Fixed windows counted in the shared cache, per client IP and, when signed in, per user: a
request over either limit answers 429 with a Retry-After header and a clear message.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from core.http import client_ip, wants_json

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _, period = text.partition("/")
        try:
            return cls(int(count), _PERIODS[period.strip()])
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(f"Rate {text!r} is not of the form COUNT/PERIOD (s, m, h, d)") from exc


def rate_for(group: str) -> Rate:
    return Rate.parse(settings.RATE_LIMITS.get(group, settings.RATE_LIMITS["default"]))


def _hit(key: str, rate: Rate) -> int | None:
    """Count one hit; return seconds to wait if this hit is over the limit, else None."""
    window = int(time.time()) // rate.seconds
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, rate.seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, rate.seconds + 5)
        count = 1
    if count > rate.count:
        return rate.seconds - int(time.time()) % rate.seconds
    return None


def check(request: HttpRequest, group: str) -> int | None:
    """Seconds the caller must wait, or None when the request may go ahead."""
    rate = rate_for(group)
    keys = [f"{group}:ip:{hashlib.sha256((client_ip(request) or '-').encode()).hexdigest()[:32]}"]
    if request.user.is_authenticated:
        keys.append(f"{group}:user:{request.user.pk}")
    waits = [wait for key in keys if (wait := _hit(key, rate)) is not None]
    return max(waits) if waits else None


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = ngettext(
        "Too many requests. Please wait %(seconds)s second and try again.",
        "Too many requests. Please wait %(seconds)s seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse({"error": "rate_limited", "detail": message, "retry_after": retry_after}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(group: str, methods: tuple[str, ...] = ("POST",)) -> Callable[[ViewFunc], ViewFunc]:
    """Limit a view's `methods` (all methods with methods=()) to the group's configured rate."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not methods or request.method in methods:
                retry_after = check(request, group)
                if retry_after is not None:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorator
