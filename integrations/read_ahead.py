"""Asking a provider for its next page while the current one is being written.

A walk of a long history alternates two waits: for the provider to answer, and for the database
to take the page. A producer thread that requests the next page while the caller writes this one
overlaps them. The thread only talks HTTP: whatever needs the database (refreshing a token) stays
in the caller's thread, in `before_each`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

# How long a blocked producer waits before it looks again whether the caller has stopped.
_POLL_SECONDS = 0.1


class _End:
    """Put by the producer after its last item."""


class _Failure(Generic[T]):
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(
    items: Iterator[T], *, before_each: Callable[[], object] = lambda: None, depth: int = 1, name: str = "read-ahead"
) -> Generator[T, None, None]:
    """Yield `items` in order while a thread produces up to `depth` more. An exception of the
    producer is raised where its item would have come, after every item before it. Stopping
    early (closing the generator) stops the producer after the item it is producing; at most
    `depth + 1` items are produced and never yielded. `before_each` runs in the caller's thread
    before the first item is produced and before each item is taken."""
    slots: queue.Queue[T | _End | _Failure[T]] = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def offer(slot: T | _End | _Failure[T]) -> bool:
        while not stopped.is_set():
            try:
                slots.put(slot, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(_End())
        except Exception as error:  # noqa: BLE001 - any failure is the caller's to raise, in order
            offer(_Failure(error))

    before_each()
    producer = threading.Thread(target=produce, name=name, daemon=True)
    producer.start()
    try:
        while True:
            slot = slots.get()
            if isinstance(slot, _End):
                return
            if isinstance(slot, _Failure):
                raise slot.error
            yield slot
            before_each()
    finally:
        stopped.set()
        producer.join()
