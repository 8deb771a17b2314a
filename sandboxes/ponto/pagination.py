"""Cursor pagination as Ponto does it: newest first, cursors are resource ids.

`page[limit]` (default 10, at most 100), `page[before]=<id>` (the page just newer than that
resource) and `page[after]=<id>` (the page just older). Legacy clients send `limit`, `before`
and `after`; links are written in the spelling the request used. `links.first` is always there,
`links.next` (older) and `links.prev` (newer) only when such a page exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote

from sandboxes.kit.web import Request
from sandboxes.ponto.api_errors import validation_error

DEFAULT_LIMIT = 10
MAX_LIMIT = 100

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    before: str | None
    after: str | None
    legacy: bool
    explicit_limit: bool

    def name(self, key: str) -> str:
        return key if self.legacy else f"page[{key}]"

    @classmethod
    def parse(cls, request: Request) -> PageRequest:
        legacy = not any(key.startswith("page[") for key in request.query) and any(
            key in request.query for key in ("limit", "before", "after")
        )
        spelled = (lambda key: key) if legacy else (lambda key: f"page[{key}]")
        raw_limit = request.param(spelled("limit"))
        limit = DEFAULT_LIMIT
        if raw_limit is not None:
            if not raw_limit.isdigit() or int(raw_limit) < 1:
                raise validation_error(spelled("limit"), f"{spelled('limit')} must be a positive integer.")
            limit = min(int(raw_limit), MAX_LIMIT)
        return cls(
            limit=limit,
            before=request.param(spelled("before")) or None,
            after=request.param(spelled("after")) or None,
            legacy=legacy,
            explicit_limit=raw_limit is not None,
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    links: dict[str, str]
    paging: dict[str, object]


def paginate(
    items: Sequence[T],
    position: Callable[[str], int | None],
    identifier: Callable[[T], str],
    page: PageRequest,
    url: str,
) -> Page[T]:
    """One page of `items` (held oldest first) with its links; `position` finds a cursor's index."""

    def locate(cursor: str, key: str) -> int:
        index = position(cursor)
        if index is None:
            raise validation_error(page.name(key), f"{page.name(key)} does not name a resource of this collection.")
        return index

    low, high = 0, len(items)  # the slice [low, high) is eligible
    if page.after is not None:
        high = locate(page.after, "after")
    if page.before is not None:
        low = locate(page.before, "before") + 1
    if page.before is not None and page.after is None:
        start, stop = low, min(high, low + page.limit)
    else:
        start, stop = max(low, high - page.limit), high
    chosen = list(reversed(items[start:stop])) if start < stop else []

    def link(**cursors: str) -> str:
        parts = [f"{page.name('limit')}={page.limit}"] if page.explicit_limit else []
        parts += [f"{page.name(key)}={quote(value)}" for key, value in cursors.items()]
        return f"{url}?{'&'.join(parts)}" if parts else url

    links = {"first": link()}
    if chosen and start > 0:
        links["next"] = link(after=identifier(chosen[-1]))
    if chosen and stop < len(items):
        links["prev"] = link(before=identifier(chosen[0]))
    paging: dict[str, object] = {"limit": page.limit, "before": page.before, "after": page.after}
    return Page(chosen, links, paging)
