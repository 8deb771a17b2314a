"""Reading the next page ahead: order kept, faults raised in place, an early stop bounded."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from integrations.errors import TransientError
from integrations.read_ahead import read_ahead


def counted(produced: list[int], count: int, *, fail_at: int | None = None) -> Iterator[int]:
    for number in range(count):
        if number == fail_at:
            raise TransientError(f"page {number} failed")
        produced.append(number)
        yield number


def test_every_item_comes_once_in_order():
    assert list(read_ahead(counted([], 50), depth=3)) == list(range(50))


def test_a_fault_is_raised_after_every_item_before_it():
    taken: list[int] = []

    def take_all() -> None:
        taken.extend(read_ahead(counted([], 20, fail_at=7)))

    with pytest.raises(TransientError, match="page 7 failed"):
        take_all()
    assert taken == list(range(7))


@pytest.mark.parametrize(("taken", "depth"), [(1, 10), (2, 10), (30, 10), (5, 2)])
def test_an_early_stop_wastes_little(taken: int, depth: int):
    produced: list[int] = []
    pages = read_ahead(counted(produced, 1000), depth=depth)
    assert [next(pages) for _ in range(taken)] == list(range(taken))
    pages.close()  # what a `return` from the consuming loop does
    # A short walk wastes a page or two; a long one at most a window's worth.
    assert taken <= len(produced) <= taken + min(taken + 1, depth) + 1
    assert not any(thread.name == "read-ahead" for thread in threading.enumerate())


def test_before_each_runs_in_the_callers_thread_before_the_first_item_and_each_next_one():
    callers: list[str] = []
    producers: list[str] = []

    def items() -> Iterator[int]:
        for number in range(3):
            producers.append(threading.current_thread().name)
            yield number

    consumed = list(read_ahead(items(), before_each=lambda: callers.append(threading.current_thread().name)))

    assert consumed == [0, 1, 2]
    assert callers == [threading.current_thread().name] * 4  # before the first, then after each
    assert set(producers) == {"read-ahead"}
