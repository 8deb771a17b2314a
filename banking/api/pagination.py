"""Keyset pages of bank transactions: the transactions screen's own pages, through the API.

DRF's CursorPagination keys a page on the first ordering field only and counts an offset past
the rows that share it: with thousands of transactions booked on one day, each page reads more
rows than the last and, past its offset cut-off, repeats rows. The screen's keyset (booking date
and id, banking.transactions) reads size + 1 rows whatever the depth."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from api.pagination import CursorPage
from banking import transactions
from banking.models.accounts import BankTransactionQuerySet


class TransactionPages(CursorPage):
    """`{"data", "next"}` pages newest first, by booking date then id; `next` carries an opaque
    token of the last row's date and id."""

    next_token: str | None = None
    base_url: str = ""

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        assert isinstance(queryset, BankTransactionQuerySet)  # the transactions' own, with their order
        token = request.query_params.get(self.cursor_query_param, "")
        if token and transactions.Cursor.decode(token) is None:
            raise ValidationError({self.cursor_query_param: [_("This cursor is not one this API gave out.")]})
        size = self.get_page_size(request) or transactions.PAGE_SIZE
        page = transactions.page(queryset, token, size)
        self.base_url = request.build_absolute_uri()
        self.next_token = page.next_cursor
        return page.rows

    def get_next_link(self) -> str | None:
        if self.next_token is None:
            return None
        return str(replace_query_param(self.base_url, self.cursor_query_param, self.next_token))
