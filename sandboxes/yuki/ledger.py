"""One administration's books: GL lines, open items and opening balances, with the queries the API needs.

Lines are kept in creation order (`entries[n].number == n`); per account a sorted index with
running totals is built lazily and dropped when a line of that account changes, so period
queries and balances stay fast on 200,000 lines without slowing down seeding.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from random import Random

from sandboxes.yuki.charts import Chart
from sandboxes.yuki.ids import GuidSpace
from sandboxes.yuki.records import (
    BANK_LINE,
    Contact,
    Document,
    Entry,
    GLAccount,
    OpenItem,
    Project,
    VatCode,
)

_ORDER = attrgetter("day", "number")


@dataclass(frozen=True, slots=True)
class Line:
    """A GL line to book: account code, amount in cents (debit positive) and what it is about."""

    code: str
    cents: int
    description: str
    contact: Contact | None = None
    project: Project | None = None
    vat: VatCode | None = None


@dataclass(slots=True)
class _Index:
    entries: list[Entry]
    days: list[date]
    running: list[int]

    def total_until(self, day: date) -> int:
        position = bisect.bisect_right(self.days, day)
        return self.running[position - 1] if position else 0


@dataclass
class Ledger:
    chart: Chart
    rng: Random
    entries: list[Entry] = field(default_factory=list)
    items: list[OpenItem] = field(default_factory=list)
    opening: dict[str, int] = field(default_factory=dict)
    projects: tuple[Project, ...] = ()

    def __post_init__(self) -> None:
        self.entry_ids = GuidSpace(self.rng)
        self.item_ids = GuidSpace(self.rng)
        self.document_ids = GuidSpace(self.rng)
        self._documents = itertools.count(1)
        self._raw: dict[str, list[Entry]] = defaultdict(list)
        self._indexes: dict[str, _Index] = {}
        self._version = 0  # bumped by every change; the change log below is rebuilt when it moved
        self._change_log: tuple[int, list[Entry], list[datetime]] | None = None

    # --- writing -------------------------------------------------------------------------------
    def book(
        self, day: date, lines: Sequence[Line], created: datetime, document: Document | None = None
    ) -> list[Entry]:
        """Book one journal entry; its lines sum to zero unless the caller deliberately unbalances it."""
        booking = len(self.entries)
        booked = []
        for offset, line in enumerate(lines):
            entry = Entry(
                booking + offset,
                booking,
                day,
                line.code,
                line.cents,
                line.description,
                line.contact,
                line.project,
                document,
                line.vat,
                created,
                created,
            )
            self.entries.append(entry)
            self._raw[line.code].append(entry)
            self._indexes.pop(line.code, None)
            booked.append(entry)
        self._version += 1
        return booked

    def document(self, reference: str, kind: str, folder: str, tab: str) -> Document:
        return Document(self.document_ids.guid(next(self._documents)), reference, kind, folder, tab)

    def add_item(self, item: OpenItem) -> OpenItem:
        item.number = len(self.items)
        self.items.append(item)
        return item

    def touched(self, entry: Entry, old_code: str | None = None) -> None:
        """Drop the indexes an edited line is in (its old code too, when it moved)."""
        if old_code is not None and old_code != entry.code:
            self._raw[old_code].remove(entry)
            self._raw[entry.code].append(entry)
            self._indexes.pop(old_code, None)
        self._indexes.pop(entry.code, None)
        self._version += 1

    # --- lookups --------------------------------------------------------------------------------
    def entry_id(self, entry: Entry) -> str:
        return self.entry_ids.guid(entry.number)

    def item_id(self, item: OpenItem) -> str:
        return self.item_ids.guid(item.number)

    def find_entry(self, guid: str) -> Entry | None:
        number = self.entry_ids.number(guid)
        return self.entries[number] if number is not None and number < len(self.entries) else None

    def find_item(self, guid: str) -> OpenItem | None:
        number = self.item_ids.number(guid)
        return self.items[number] if number is not None and number < len(self.items) else None

    def booking_of(self, entry: Entry) -> list[Entry]:
        """All lines of the entry's booking (they are contiguous)."""
        end = entry.booking
        while end < len(self.entries) and self.entries[end].booking == entry.booking:
            end += 1
        return self.entries[entry.booking : end]

    def items_by_reference(self, reference: str) -> list[OpenItem]:
        wanted = reference.strip()
        return [item for item in self.items if item.open_cents != 0 and wanted and item.reference == wanted]

    # --- queries ----------------------------------------------------------------------------------
    def _index(self, code: str) -> _Index:
        index = self._indexes.get(code)
        if index is None:
            live = sorted((e for e in self._raw.get(code, ()) if not e.deleted), key=_ORDER)
            index = _Index(live, [e.day for e in live], list(itertools.accumulate(e.cents for e in live)))
            self._indexes[code] = index
        return index

    def lines(self, code: str | None, start: date, end: date) -> list[Entry]:
        """Live lines of one account (or of all accounts) booked from `start` to `end`, by date."""
        codes = [code] if code else [account.code for account in self.chart.accounts]
        found: list[Entry] = []
        for each in codes:
            index = self._index(each)
            found.extend(index.entries[bisect.bisect_left(index.days, start) : bisect.bisect_right(index.days, end)])
        return found if code else sorted(found, key=_ORDER)

    def balances(self, day: date) -> list[tuple[GLAccount, int]]:
        """The trial balance at `day`: balance-sheet accounts since the start, P&L ones in the fiscal year.

        Earlier years' results are carried in the retained-earnings account, so the balances sum to 0.
        """
        year_end = date(day.year - 1, 12, 31)
        carried = 0
        totals: list[tuple[GLAccount, int]] = []
        for account in self.chart.accounts:
            index = self._index(account.code)
            if account.balance_type == "W":
                before = index.total_until(year_end)
                carried += before
                totals.append((account, index.total_until(day) - before))
            else:
                totals.append((account, self.opening.get(account.code, 0) + index.total_until(day)))
        retained = self.chart.code("retained")
        return [(a, cents + carried if a.code == retained else cents) for a, cents in totals]

    def changes(self, start: datetime, end: datetime) -> list[Entry]:
        """Lines created, changed or deleted from `start` to `end` (aware moments), oldest change first."""
        if self._change_log is None or self._change_log[0] != self._version:
            ordered = sorted(self.entries, key=attrgetter("updated", "number"))
            self._change_log = (self._version, ordered, [entry.updated for entry in ordered])
        _, ordered, moments = self._change_log
        return ordered[bisect.bisect_left(moments, start) : bisect.bisect_right(moments, end)]

    def outstanding(self, side: str, *, include_bank: bool) -> list[OpenItem]:
        return [
            item
            for item in self.items
            if item.side == side and item.open_cents != 0 and (include_bank or item.type != BANK_LINE)
        ]

    def live(self) -> Iterator[Entry]:
        return (entry for entry in self.entries if not entry.deleted)

    def counts(self) -> dict[str, int]:
        deleted = sum(1 for entry in self.entries if entry.deleted)
        return {"glTransactions": len(self.entries) - deleted, "deletedGlTransactions": deleted}

    def months(self) -> dict[tuple[int, int], int]:
        """Live lines per (year, month) of their booking date."""
        per_month: dict[tuple[int, int], int] = defaultdict(int)
        for entry in self.entries:
            if not entry.deleted:
                per_month[(entry.day.year, entry.day.month)] += 1
        return per_month
