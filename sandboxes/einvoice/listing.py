"""The inbox and outbox lists: their query parameters, filters, sorts and pages (peppol.md §3.2).

`date_from`/`date_to` filter on the **issue date** (the SDK: "Filter by issue date"), inclusive,
not on when the document arrived. Defaults and the largest page are not published [U]: the
sandbox pages by 20 and refuses more than 100 a page, so a client that relies on a default
notices.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sandboxes.einvoice.documents import Document
from sandboxes.einvoice.errors import field_error
from sandboxes.kit.web import Request

SORT_FIELDS = ("created_at", "invoice_date", "due_date", "invoice_total", "customer_name", "vendor_name", "invoice_id")
SORT_ORDERS = ("asc", "desc")
DOCUMENT_TYPES = ("INVOICE", "CREDIT_NOTE", "DEBIT_NOTE", "SELFBILLING_INVOICE", "SELFBILLING_CREDIT_NOTE")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Which fields `sender` (inbox) and `receiver` (outbox) look in, from the SDK's descriptions.
SENDER_FIELDS = ("vendor_name", "vendor_email", "vendor_tax_id", "vendor_company_id")
RECEIVER_FIELDS = ("customer_name", "customer_email", "customer_tax_id", "customer_company_id", "customer_id")
SEARCH_FIELDS = ("invoice_id", "vendor_name", "customer_name")


def _choices(choices: tuple[str, ...]) -> str:
    quoted = [f"'{choice}'" for choice in choices]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _whole(request: Request, name: str, default: int, low: int, high: int | None = None) -> int:
    given = request.param(name)
    if given is None:
        return default
    try:
        value = int(given.strip())
    except ValueError:
        message = "Input should be a valid integer, unable to parse string as an integer"
        raise field_error(("query", name), "int_parsing", message, given) from None
    if value < low:
        message = f"Input should be greater than or equal to {low}"
        raise field_error(("query", name), "greater_than_equal", message, given, {"ge": low})
    if high is not None and value > high:
        message = f"Input should be less than or equal to {high}"
        raise field_error(("query", name), "less_than_equal", message, given, {"le": high})
    return value


def _choice(request: Request, name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    given = request.param(name)
    if given is None or (given == "" and default is None):
        return default
    if given not in choices:
        message = f"Input should be {_choices(choices)}"
        raise field_error(("query", name), "enum", message, given, {"expected": _choices(choices)})
    return given


def _day(request: Request, name: str) -> date | None:
    given = request.param(name)
    if not given:
        return None
    try:
        return datetime.fromisoformat(given).date()  # a date alone reads as its midnight
    except ValueError:
        raise field_error(("query", name), "datetime_parsing", "Input should be a valid datetime", given) from None


def _contains(document: Document, names: tuple[str, ...], needle: str) -> bool:
    needle = needle.lower()
    return any(needle in str(document.fields.get(name) or "").lower() for name in names)


def _sort_value(document: Document, name: str) -> datetime | Decimal | str | None:
    if name == "created_at":
        return document.created_at
    value = document.fields.get(name)
    if value is None:
        return None
    if name == "invoice_total":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return str(value)


@dataclass(frozen=True)
class Listing:
    page: int
    page_size: int
    date_from: date | None
    date_to: date | None
    search: str | None
    sender: str | None
    receiver: str | None
    document_type: str | None
    sort_by: str
    sort_order: str

    @classmethod
    def from_query(cls, request: Request, document_type: str | None = None) -> Listing:
        """The list's parameters; a 422 in FastAPI's words for one that does not parse."""
        return cls(
            page=_whole(request, "page", 1, 1),
            page_size=_whole(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
            date_from=_day(request, "date_from"),
            date_to=_day(request, "date_to"),
            search=request.param("search") or None,
            sender=request.param("sender") or None,
            receiver=request.param("receiver") or None,
            document_type=document_type or _choice(request, "type", DOCUMENT_TYPES, None),
            sort_by=_choice(request, "sort_by", SORT_FIELDS, "created_at") or "created_at",
            sort_order=_choice(request, "sort_order", SORT_ORDERS, "desc") or "desc",
        )

    def _keeps(self, document: Document) -> bool:
        issued = _issue_date(document)
        checks: list[Callable[[], bool]] = [
            lambda: self.document_type is None or document.fields.get("document_type") == self.document_type,
            lambda: self.date_from is None or (issued is not None and issued >= self.date_from),
            lambda: self.date_to is None or (issued is not None and issued <= self.date_to),
            lambda: self.search is None or _contains(document, SEARCH_FIELDS, self.search),
            lambda: self.sender is None or _contains(document, SENDER_FIELDS, self.sender),
            lambda: self.receiver is None or _contains(document, RECEIVER_FIELDS, self.receiver),
        ]
        return all(check() for check in checks)

    def _sorted(self, documents: list[Document]) -> list[Document]:
        """Sorted on `sort_by`, creation order breaking ties; documents without the value come last."""
        descending = self.sort_order == "desc"
        keyed = [(_sort_value(document, self.sort_by), document) for document in documents]
        valued = [(value, document) for value, document in keyed if value is not None]
        valued.sort(key=lambda pair: (pair[0], pair[1].seq), reverse=descending)
        unvalued = sorted((document for value, document in keyed if value is None), key=lambda d: d.seq)
        return [document for _, document in valued] + (unvalued[::-1] if descending else unvalued)

    def page_of(self, documents: Iterable[Document]) -> dict[str, object]:
        """`PaginatedDocumentResponse`: one page of the documents this listing keeps."""
        kept = self._sorted([document for document in documents if self._keeps(document)])
        pages = math.ceil(len(kept) / self.page_size)
        start = (self.page - 1) * self.page_size
        return {
            "items": [document.response() for document in kept[start : start + self.page_size]],
            "page": self.page,
            "page_size": self.page_size,
            "pages": pages,
            "total": len(kept),
            "has_next_page": self.page < pages,
        }


def _issue_date(document: Document) -> date | None:
    value = document.fields.get("invoice_date")
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
