"""Small helpers for tests that act as several people at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.test import Client

from core.models import User

__all__ = ["TestResponse", "logged_in_client", "run_concurrently"]

if TYPE_CHECKING:
    # What the test client returns: a response with .json(), .context and .wsgi_request.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
else:
    TestResponse = object


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_concurrently(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run `work(n)` in `count` threads (one database connection each) started at the same instant."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait()
            outcome = work(n)
            with lock:
                results.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
