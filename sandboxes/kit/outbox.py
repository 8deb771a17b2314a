"""Webhook deliveries of a sandbox whose vendor posts webhooks and retries the failed ones (the
payment sandboxes: Mollie and Paystack).

A message is posted from the caller's thread, so when `complete()` returns, the receiver has
answered. While `hold` is set, messages wait for `release()`. A failed attempt (no answer, a
redirect, anything but 2xx) is retried after the next delay of `schedule`, measured on the sandbox
clock: `retry_due()` (on every tick) sends what is due, `release()` sends every retry at once.

Never call `send()` holding the sandbox's lock: the receiver usually calls the sandbox back.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sandboxes.kit.clock import MovableClock


@dataclass
class Message:
    key: str  # what the webhook is about: a payment id, a transaction reference
    url: str
    body: bytes
    headers: dict[str, str]
    attempts: int = 0
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    key: str
    url: str
    body: str
    headers: dict[str, str]
    attempt: int
    at: datetime
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> dict[str, object]:
        return {
            "key": self.key,
            "url": self.url,
            "body": self.body,
            "headers": self.headers,
            "attempt": self.attempt,
            "at": self.at.isoformat(timespec="seconds"),
            "status": self.status,
            "error": self.error,
        }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirected POST loses its body: the attempt failed


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _RefuseRedirects())


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """(status, error) of one POST."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - the merchant's URL
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), None
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, ("redirect not followed" if 300 <= error.code < 400 else None)
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"


@dataclass
class Outbox:
    clock: Callable[[], datetime]
    schedule: tuple[float, ...]  # seconds before each retry; its length is the number of retries
    timeout: float
    hold: bool = False
    _attempts: list[Attempt] = field(default_factory=list)
    _held: list[Message] = field(default_factory=list)
    _retrying: list[Message] = field(default_factory=list)
    _last: dict[str, Message] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def send(self, message: Message) -> None:
        with self._lock:
            self._last[message.key] = message
            if self.hold:
                self._held.append(message)
                return
        self._attempt(message)

    def redeliver(self, key: str) -> bool:
        """Post the last message about `key` again, as a new delivery; False when there was none."""
        with self._lock:
            last = self._last.get(key)
        if last is not None:
            self.send(replace(last, attempts=0, due_at=None))
        return last is not None

    def release(self) -> int:
        """Send every held message and every pending retry now; how many were sent."""
        with self._lock:
            waiting, self._held, self._retrying = [*self._held, *self._retrying], [], []
        for message in waiting:
            self._attempt(message)
        return len(waiting)

    def retry_due(self) -> None:
        now = self.clock()
        with self._lock:
            due = [m for m in self._retrying if m.due_at is not None and m.due_at <= now]
            self._retrying = [m for m in self._retrying if m not in due]
        for message in due:
            self._attempt(message)

    def _attempt(self, message: Message) -> None:
        message.attempts += 1
        status, error = post(message.url, message.body, message.headers, self.timeout)
        now = self.clock()
        attempt = Attempt(
            message.key,
            message.url,
            message.body.decode(),
            dict(message.headers),
            message.attempts,
            now,
            status,
            error,
        )
        with self._lock:
            self._attempts.append(attempt)
            if not attempt.delivered and message.attempts <= len(self.schedule):
                message.due_at = now + timedelta(seconds=self.schedule[message.attempts - 1])
                self._retrying.append(message)


class WebhookClock(MovableClock):
    """A sandbox clock with an outbox: time going by (`tick`) sends the retries that are due, and
    tests hold, release and read the deliveries."""

    def __init__(self, now: Callable[[], datetime] | None, schedule: tuple[float, ...], timeout: float) -> None:
        super().__init__(now)
        self.outbox = Outbox(self.now, schedule, timeout)

    def advance(self, seconds: float) -> datetime:
        super().advance(seconds)
        self.tick()
        return self.now()

    def tick(self) -> None:
        self.outbox.retry_due()

    def tick_until(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Tick every `interval` seconds until `stop` is set (a long-running sandbox on real time)."""
        while not stop.wait(interval):
            self.tick()

    @property
    def hold_webhooks(self) -> bool:
        return self.outbox.hold

    @hold_webhooks.setter
    def hold_webhooks(self, hold: bool) -> None:
        self.outbox.hold = hold

    def release_webhooks(self) -> int:
        """Send the held messages and every pending retry now; how many."""
        return self.outbox.release()

    @property
    def webhook_deliveries(self) -> list[dict[str, object]]:
        """Every attempt: url, body (the exact text), headers, status (None without an answer), error,
        attempt number, time."""
        return [attempt.describe() for attempt in self.outbox.attempts]
