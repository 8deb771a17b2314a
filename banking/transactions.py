"""The transactions screen's read side: filtering, searching, keyset pages and totals.

A million rows must page as fast as a hundred: pages follow an opaque cursor (the last row's
booking date and id) along the index `bank_tx_org_booked`, never an OFFSET, and nothing counts
the whole table per page. Totals of a filtered set are one aggregate, kept under the
organisation's data version, so a repeat view costs nothing and a write shows at once.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Upper

from banking.models import BankTransaction, Bill, CategoryRule, Match, MatchStatus
from banking.models.accounts import BankTransactionQuerySet
from core.validators import normalize_iban
from dashboards.models import DailyRollup
from dashboards.state import cache_key, cached, remembered, state_for

PAGE_SIZE = 50
# The `category` filter's value for transactions without a category.
UNCATEGORISED = "-"
# Amounts as people type them: 125,50 · 125.50 · 1.250,50 · 1,250.50 · -125 · €125
_AMOUNT = re.compile(r"^[-+]?\s*€?\s*\d{1,3}([.,\s]?\d{3})*([.,]\d{1,2})?$")
_STRUCTURED = re.compile(r"^\+*\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*\+*$")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


@dataclass(frozen=True)
class TransactionFilters:
    """What the screen's GET parameters ask for, once validated (banking.forms.TransactionFilterForm)."""

    q: str = ""
    accounts: tuple[int, ...] = ()
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    category: str = ""
    direction: str = ""  # "in" | "out" | ""
    reconciled: str = ""  # "yes" | "no" | ""
    source: int | None = None  # a connection's id
    status: str = ""  # "booked" | "pending" | ""

    def key(self) -> str:
        """A stable text of the filters, for cache keys."""
        return repr(self)


def parse_amount(text: str) -> Decimal | None:
    """The amount a search text means (125,50 and 125.50 both mean 125.50), or None."""
    text = text.strip()
    if not _AMOUNT.match(text):
        return None
    digits = re.sub(r"[^\d.,-]", "", text).lstrip("-")
    # The last separator followed by one or two digits is the decimal one; every other is grouping.
    decimal = re.search(r"[.,](\d{1,2})$", digits)
    whole = digits[: decimal.start()] if decimal else digits
    number = re.sub(r"[.,]", "", whole) + (f".{decimal.group(1)}" if decimal else "")
    try:
        return Decimal(number).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _contains(text: str) -> Q:
    """`search_text` holds `text`, case aside: the database upper-cases the term as it did the
    column (its own rules, so a term is found as it is written whatever the letters), and the
    term is still a constant when the query is planned (the trigram index and the statistics)."""
    return Q(search_text__contains=Upper(Value(text)))


def search_q(text: str) -> Q:
    """Counterparty name and IBAN, description, remittance text (and the structured reference
    however it is typed), or the amount, in or out: all but the amount in the one column
    `search_text`."""
    text = text.strip()
    condition = _contains(text)
    iban = normalize_iban(text)
    if len(iban) >= 4 and any(char.isdigit() for char in iban) and iban != text.upper():
        condition |= _contains(iban)
    structured = _STRUCTURED.match(text)
    if structured:
        condition |= _contains("/".join(structured.groups()))
    amount = parse_amount(text)
    if amount is not None:
        condition |= Q(amount__in=[amount, -amount])
    return condition


def reconciled_q() -> Q:
    """Paid to an invoice (an applied match) or settling a bill."""
    applied = Match.objects.filter(transaction=OuterRef("pk"), status=MatchStatus.APPLIED)
    paid_bill = Bill.objects.filter(paid_by=OuterRef("pk"))
    return Q(Exists(applied)) | Q(Exists(paid_bill))


def filtered(organization_id: int, filters: TransactionFilters) -> BankTransactionQuerySet:
    """The organisation's transactions the filters select, unordered."""
    rows = BankTransaction.objects.filter(organization_id=organization_id)
    if filters.q:
        rows = rows.filter(search_q(filters.q))
    if filters.accounts:
        rows = rows.filter(account_id__in=filters.accounts)
    if filters.date_from:
        rows = rows.filter(execution_date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(execution_date__lte=filters.date_to)
    if filters.category:
        rows = rows.filter(category="" if filters.category == UNCATEGORISED else filters.category)
    if filters.direction == "in":
        rows = rows.filter(amount__gt=0)
    elif filters.direction == "out":
        rows = rows.filter(amount__lt=0)
    if filters.reconciled == "yes":
        rows = rows.filter(reconciled_q())
    elif filters.reconciled == "no":
        rows = rows.exclude(reconciled_q())
    if filters.source:
        rows = rows.filter(connection_id=filters.source)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


# The columns a row of the screen shows (templates/banking/_transaction_rows.html): not the raw
# JSON copies, the largest columns by far, nor the search text.
SCREEN_FIELDS = (
    "execution_date",
    "status",
    "amount",
    "currency",
    "counterpart_name",
    "counterpart_iban",
    "remittance_information",
    "description",
    "category",
    "account__name",
    "account__iban",
)


def screen_rows(organization_id: int, filters: TransactionFilters) -> BankTransactionQuerySet:
    """`filtered`, with what the screen's rows show and nothing more."""
    return filtered(organization_id, filters).select_related("account").only(*SCREEN_FIELDS)


# --- keyset pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last row's booking date (None for an undated row) and id."""

    day: datetime.date | None
    pk: int

    def encode(self) -> str:
        text = f"{self.day.isoformat() if self.day else ''}_{self.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        """The cursor a token holds; None for anything that is not one (a bad link starts over)."""
        if not token or len(token) > 64:
            return None
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            day, pk = text.split("_")
            cursor = cls(datetime.date.fromisoformat(day) if day else None, int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        return cursor if 0 < cursor.pk < 2**63 else None


@dataclass(frozen=True)
class TransactionPage:
    rows: list[BankTransaction]
    next_cursor: str | None
    first: bool = True

    def __iter__(self) -> Iterator[BankTransaction]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _after(rows: BankTransactionQuerySet, cursor: Cursor | None) -> list[BankTransactionQuerySet]:
    """The stretches of the order that follow the cursor, each an index range: the dated rows
    (newest first), then the undated ones. Two plain ranges rather than one OR, which would make
    the database read the index from its start."""
    dated = rows.filter(execution_date__isnull=False).newest_first()
    undated = rows.filter(execution_date__isnull=True).order_by("-id")
    if cursor is None:
        return [dated, undated]
    if cursor.day is None:
        return [undated.filter(id__lt=cursor.pk)]
    after_dated = dated.filter(execution_date__lte=cursor.day).exclude(execution_date=cursor.day, id__gte=cursor.pk)
    return [after_dated, undated]


def in_order(rows: BankTransactionQuerySet) -> Iterator[BankTransaction]:
    """Every row in the screen's order, read in chunks (the CSV export)."""
    for stretch in _after(rows, None):
        yield from stretch.iterator(chunk_size=2000)


def page(rows: BankTransactionQuerySet, after: str = "", size: int = PAGE_SIZE) -> TransactionPage:
    """The page of `rows` after the cursor `after` (the first page without one): at most two
    indexed range queries of size + 1 rows, whatever the depth."""
    cursor = Cursor.decode(after)
    found: list[BankTransaction] = []
    for stretch in _after(rows, cursor):
        found += list(stretch[: size + 1 - len(found)])
        if len(found) > size:
            break
    shown = found[:size]
    last = shown[-1] if shown else None
    next_cursor = Cursor(last.execution_date, last.pk).encode() if last and len(found) > size else None
    return TransactionPage(shown, next_cursor, first=cursor is None)


# --- totals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    currency: str
    money_in: Decimal
    money_out: Decimal  # negative or zero
    count: int

    @property
    def net(self) -> Decimal:
        return self.money_in + self.money_out


def _row_totals(rows: QuerySet[BankTransaction]) -> list[Totals]:
    grouped = (
        rows.order_by()
        .values("currency")
        .annotate(
            money_in=Coalesce(
                Sum(Case(When(amount__gt=0, then=F("amount")), default=_ZERO, output_field=_MONEY)), _ZERO
            ),
            money_out=Coalesce(
                Sum(Case(When(amount__lt=0, then=F("amount")), default=_ZERO, output_field=_MONEY)), _ZERO
            ),
            count=Count("id"),
        )
    )
    return [Totals(g["currency"], g["money_in"], g["money_out"], g["count"]) for g in grouped]


def rollups_answer(filters: TransactionFilters) -> bool:
    """Whether the daily rollups (booked, dated rows summed per account, day and category) hold
    these filters' totals: only filters on those columns."""
    return not (filters.q or filters.direction or filters.reconciled or filters.source) and filters.status in (
        "",
        "booked",
    )


def _rollup_totals(organization_id: int, filters: TransactionFilters) -> list[Totals]:
    """Totals from the daily rollups, plus the rows they leave out (pending, undated) read live."""
    rollups = DailyRollup.objects.filter(organization_id=organization_id)
    if filters.accounts:
        rollups = rollups.filter(account_id__in=filters.accounts)
    if filters.date_from:
        rollups = rollups.filter(day__gte=filters.date_from)
    if filters.date_to:
        rollups = rollups.filter(day__lte=filters.date_to)
    if filters.category:
        rollups = rollups.filter(category="" if filters.category == UNCATEGORISED else filters.category)
    summed: dict[str, Totals] = {
        g["currency"]: Totals(
            g["currency"], g["money_in"] or Decimal(0), -(g["money_out"] or Decimal(0)), g["count"] or 0
        )
        for g in rollups.order_by()
        .values("currency")
        .annotate(money_in=Sum("inflow"), money_out=Sum("outflow"), count=Sum("count"))
    }
    # "Not booked" as two ranges, which the index `bank_tx_org_date` seeks; a `<>` reads every row.
    not_booked = Q(status__lt="booked") | Q(status__gt="booked")
    left_out = filtered(organization_id, filters).filter(not_booked | Q(execution_date__isnull=True))
    for extra in _row_totals(left_out):
        known = summed.get(extra.currency, Totals(extra.currency, Decimal(0), Decimal(0), 0))
        summed[extra.currency] = Totals(
            extra.currency,
            known.money_in + extra.money_in,
            known.money_out + extra.money_out,
            known.count + extra.count,
        )
    return sorted((t for t in summed.values() if t.count), key=lambda t: t.currency)


def compute_totals(organization_id: int, filters: TransactionFilters) -> list[Totals]:
    """In, out, net and count of the filtered set, per currency."""
    if rollups_answer(filters):
        return _rollup_totals(organization_id, filters)
    return _row_totals(filtered(organization_id, filters))


def _totals_key(organization_id: int, filters: TransactionFilters, version: int | None) -> str:
    if version is None:
        version = state_for(organization_id).data_version
    return cache_key(organization_id, version, "transactions-totals", filters.key())


def totals(organization_id: int, filters: TransactionFilters, *, version: int | None = None) -> list[Totals]:
    """`compute_totals`, kept under the organisation's data version (a write moves it on); pass
    the `version` when it is already read."""
    return cached(_totals_key(organization_id, filters, version), lambda: compute_totals(organization_id, filters))


def ready_totals(organization_id: int, filters: TransactionFilters, *, version: int) -> list[Totals] | None:
    """The totals when they cost nothing now: kept already, or read from the daily rollups; None
    when they need a pass over the matching rows (a search, a direction), which the screen then
    asks for after its rows (TransactionTotalsView)."""
    known: list[Totals] | None = remembered(_totals_key(organization_id, filters, version))
    if known is None and rollups_answer(filters):
        return totals(organization_id, filters, version=version)
    return known


def known_categories(organization_id: int, *, version: int | None = None) -> list[str]:
    """The categories the organisation uses: its rules' and its transactions' (from the rollups,
    a few thousand rows rather than every transaction), kept under the data version."""
    if version is None:
        version = state_for(organization_id).data_version

    def compute() -> list[str]:
        names = set(CategoryRule.objects.filter(organization_id=organization_id).values_list("category", flat=True))
        names |= set(
            DailyRollup.objects.filter(organization_id=organization_id).values_list("category", flat=True).distinct()
        )
        return sorted(name for name in names if name)

    return cached(cache_key(organization_id, version, "transaction-categories", ""), compute)
