"""Asking a provider for its next pages while the current ones are being written.

A walk of a long history alternates two waits: for the provider to answer, and for the database
to take the pages. A producer thread that requests the next pages while the caller writes
overlaps them. The thread only talks HTTP: whatever needs the database (refreshing a token)
stays in the caller's thread, in `before_each`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _End:
    """Put by the producer after its last item."""


class _Failure(Generic[T]):
    def __init__(self, error: Exception) -> None:
        self.error = error


class _Window(Generic[T]):
    """The items produced and not yet taken. It may hold one item more for each item taken, up to
    `depth`: a short walk that stops early wastes few requests, a long one keeps the producer
    busy while the caller writes a batch."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.items: deque[T | _End | _Failure[T]] = deque()
        self.taken = 0
        self.stopped = False
        self.changed = threading.Condition()

    def _has_room(self) -> bool:
        return self.stopped or len(self.items) < min(self.depth, 1 + self.taken)

    def offer(self, item: T | _End | _Failure[T]) -> bool:
        """Add an item once there is room; False when the caller has stopped."""
        with self.changed:
            self.changed.wait_for(self._has_room)
            if self.stopped:
                return False
            self.items.append(item)
            self.changed.notify_all()
            return True

    def take(self) -> T | _End | _Failure[T]:
        with self.changed:
            self.changed.wait_for(lambda: bool(self.items))
            self.taken += 1
            self.changed.notify_all()
            return self.items.popleft()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self.changed.notify_all()


def read_ahead(
    items: Iterator[T], *, before_each: Callable[[], object] = lambda: None, depth: int = 10, name: str = "read-ahead"
) -> Generator[T, None, None]:
    """Yield `items` in order while a thread produces the next ones: one ahead at first, one
    more for each item taken, at most `depth`. An exception of the producer is raised where its
    item would have come, after every item before it. Stopping early (closing the generator)
    stops the producer after the item it is producing: after n items taken, at most
    min(n + 1, depth) + 1 items were produced and never yielded. `before_each` runs in the
    caller's thread before the first item is produced and before each next item is taken."""
    window: _Window[T] = _Window(depth)

    def produce() -> None:
        try:
            for item in items:
                if not window.offer(item):
                    return
            window.offer(_End())
        except Exception as error:  # noqa: BLE001 - any failure is the caller's to raise, in order
            window.offer(_Failure(error))

    before_each()
    producer = threading.Thread(target=produce, name=name, daemon=True)
    producer.start()
    try:
        while True:
            item = window.take()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
            before_each()
    finally:
        window.stop()
        producer.join()
