"""A resilient HTTP layer on httpx: timeouts always, retries with backoff and jitter for what
is transient, Retry-After honoured, a cap on the total time, and failures classified."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from django.conf import settings

from integrations.errors import AuthError, PermanentError, ProviderError, TransientError

logger = logging.getLogger(__name__)

REQUEST_ID_HEADERS = ("ibanity-request-id", "x-request-id")


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    total_cap: float = 120.0  # seconds a call may take with all its retries

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            attempts=settings.PROVIDER_RETRY_ATTEMPTS,
            base_delay=settings.PROVIDER_RETRY_BASE_DELAY,
            total_cap=settings.PROVIDER_RETRY_TOTAL_CAP,
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        # Full jitter: a random wait up to the exponential bound, so retrying clients spread out.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


@dataclass
class Response:
    status: int
    data: Any
    request_id: str
    headers: httpx.Headers


@dataclass
class ResilientClient:
    """JSON over HTTP with retries. `classify` maps an error response to the error to raise."""

    client: httpx.Client
    classify: Callable[[httpx.Response], ProviderError]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    request_ids: list[str] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                return self._once(method, url, **kwargs)
            except TransientError as exc:
                attempt += 1
                wait = self.policy.delay(attempt, exc.retry_after)
                if attempt >= self.policy.attempts or time.monotonic() - started + wait > self.policy.total_cap:
                    raise
                logger.info("retrying %s %s in %.1fs after: %s", method, url, wait, exc.message)
                self.sleep(wait)

    def _once(self, method: str, url: str, **kwargs: Any) -> Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"The provider did not answer in time ({exc.__class__.__name__}).") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"The connection to the provider failed ({exc.__class__.__name__}).") from exc
        request_id = next((response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), "")
        if request_id:
            self.request_ids.append(request_id)
        if response.status_code >= 400:
            raise self.classify(response)
        if not response.content:
            return Response(response.status_code, None, request_id, response.headers)
        try:
            # Amounts arrive as JSON numbers: read them as Decimal, never through a float.
            data = json.loads(response.content, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise TransientError(
                f"The provider sent a response that is not valid JSON (HTTP {response.status_code}).",
                request_id=request_id,
                status=response.status_code,
            ) from exc
        return Response(response.status_code, data, request_id, response.headers)


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def classify_status(
    response: httpx.Response, message: str, *, auth_codes: frozenset[str] = frozenset(), code: str = ""
) -> ProviderError:
    """The generic mapping: 429 and 5xx transient, 401/403 (or a known auth code) auth, rest permanent."""
    request_id = next((response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), "")
    status = response.status_code
    if status == 429 or status >= 500:
        return TransientError(message, retry_after=retry_after_seconds(response), request_id=request_id, status=status)
    if status in (401, 403) or code in auth_codes:
        return AuthError(message, request_id=request_id, status=status)
    return PermanentError(message, request_id=request_id, status=status)
