"""Pages of a list without counting it: one query of size + 1 rows tells whether a next page
exists. An exact COUNT(*) costs a scan of every matching row, on every page view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50
MAX_PAGE = 100_000  # beyond it the offset would overflow; nobody pages that far by hand


@dataclass(frozen=True)
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_request(request: HttpRequest) -> tuple[int, str]:
    """The page number asked for, and the query string without `page` (for the page links)."""
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        number = 1
    query = request.GET.copy()
    query.pop("page", None)
    return number, query.urlencode()


def paginate(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> tuple[Page, str]:
    """The requested page of an ordered queryset, and the query string without `page`."""
    number, query = page_request(request)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(rows[:size], number, len(rows) > size), query
