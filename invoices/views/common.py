"""Helpers the billing views share."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from core.models import Organization

PAGE_SIZE = 50


def organization_of(request: HttpRequest) -> Organization:
    organization: Organization = request.organization  # type: ignore[attr-defined]
    return organization


def paginate(request: HttpRequest, queryset: QuerySet[Any]) -> tuple[Page[Any], str]:
    """A page of the queryset, and the query string without `page` for the page links."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
