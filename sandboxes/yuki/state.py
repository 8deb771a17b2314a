"""The sandbox's in-memory, thread-safe state: domains, administrations and their books, keys, clock, faults.

`YukiSandbox` is both the Python API tests and demos drive and what the WSGI application
(`sandbox.wsgi_app`) serves. Time is the sandbox clock: `now()` plus whatever `advance()` added,
so sessions expire and the daily quota resets without waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from sandboxes.kit.clock import MovableClock
from sandboxes.kit.web import ControlError
from sandboxes.yuki import editing
from sandboxes.yuki.access import Quota, Sessions
from sandboxes.yuki.app import YukiApp
from sandboxes.yuki.faults import Fault, FaultBook
from sandboxes.yuki.formats import local_day
from sandboxes.yuki.ground_truth import ground_truth
from sandboxes.yuki.records import Administration, Domain, Entry, OpenItem
from sandboxes.yuki.sales import STYLES
from sandboxes.yuki.seeding import Sizes, WorldBuilder, access_key, administration_key, other_region


class YukiSandbox(MovableClock):
    """An offline Yuki: SOAP web services over seeded books that mirror the Ponto sandbox's business.

    `open_items` open sales invoices (debtor items, some partly paid); `open_creditor_items`
    open purchase invoices (half as many by default); `gl_transactions_per_month` pads every
    month of the books to that many GL lines (None: only the business's own bookings, about 250);
    `bank_transactions`/`bank_accounts` are the `PontoSandbox` sizes the bank lines mirror.
    """

    def __init__(
        self,
        seed: int = 2026,
        now: Callable[[], datetime] | None = None,
        *,
        open_items: int = 40,
        open_creditor_items: int | None = None,
        gl_transactions_per_month: int | None = None,
        contacts: int = 250,
        bank_transactions: int = 1500,
        bank_accounts: int = 3,
        daily_quota: int = 1000,
        region: str = "BE",
        sales_response_style: str = "alternate",
        session_lifetime: timedelta = timedelta(hours=24),
    ) -> None:
        if sales_response_style not in STYLES:
            raise ValueError(f"sales_response_style must be one of {', '.join(STYLES)}")
        super().__init__(now)
        self.region = region.upper()
        sizes = Sizes(
            open_items, open_creditor_items, gl_transactions_per_month, contacts, bank_transactions, bank_accounts
        )
        world = WorldBuilder(seed, self.now(), sizes, self.region).build()
        self.domains: list[Domain] = world.domains
        self.administrations: dict[str, Administration] = world.administrations
        self.administration: Administration = world.main
        self.keys = world.keys
        self.window = world.window
        self.banks = world.banks
        self.sessions = Sessions(self.keys, session_lifetime)
        self.quota = Quota(daily_quota)
        self.faults = FaultBook()
        self.sales_log: list[dict[str, object]] = []
        self.sales_response_style = sales_response_style
        self._sales_calls = 0
        self.wsgi_app = YukiApp(self)

    # --- keys and lookups -------------------------------------------------------------------------
    @property
    def access_key(self) -> str:
        """The main domain's key (`sandbox-yuki-key-be` by default): every administration of the domain."""
        return access_key(self.region)

    @property
    def administration_key(self) -> str:
        """A key scoped to the main administration only."""
        return administration_key(self.region)

    @property
    def other_access_key(self) -> str:
        """The other region's key (`sandbox-yuki-key-nl` by default), for its own small domain."""
        return access_key(other_region(self.region))

    def domain(self, domain_id: str) -> Domain:
        return next(domain for domain in self.domains if domain.id == domain_id)

    def administration_of_entry(self, entry: Entry) -> Administration:
        for admin in self.administrations.values():
            if entry.number < len(admin.ledger.entries) and admin.ledger.entries[entry.number] is entry:
                return admin
        raise LookupError("the line belongs to no administration")

    def find_entry(self, entry_id: str) -> tuple[Administration, Entry]:
        for admin in self.administrations.values():
            entry = admin.ledger.find_entry(entry_id)
            if entry is not None:
                return admin, entry
        raise ControlError(404, "no GL transaction has that id")

    def find_item(self, item_id: str) -> tuple[Administration, OpenItem]:
        for admin in self.administrations.values():
            item = admin.ledger.find_item(item_id)
            if item is not None:
                return admin, item
        raise ControlError(404, "no open item has that id")

    def sales_response_style_now(self) -> str:
        """`child` or `text` for this ProcessSalesInvoices answer (alternating: child first)."""
        with self._lock:
            self._sales_calls += 1
            if self.sales_response_style == "alternate":
                return "child" if self._sales_calls % 2 else "text"
            return self.sales_response_style

    # --- control operations -------------------------------------------------------------------------
    def ground_truth(
        self, administration: str | None = None, account: str | None = None, *, transactions: bool = True
    ) -> dict[str, object]:
        with self._lock:
            return ground_truth(self, administration, account, transactions=transactions)

    def add_transactions(self, administration_id: str, specs: Iterable[Mapping[str, object]]) -> list[Entry]:
        with self._lock:
            admin = self.administrations.get(administration_id.lower())
            if admin is None:
                raise ControlError(404, "no administration has that id")
            domain = self.domain(admin.domain_id)
            try:
                return [line for spec in specs for line in editing.add_booking(admin, domain, spec, self.now())]
            except ValueError as error:
                raise ControlError(400, str(error)) from error

    def update_transaction(self, entry_id: str, changes: Mapping[str, object]) -> list[Entry]:
        with self._lock:
            admin, entry = self.find_entry(entry_id)
            try:
                return editing.update_entry(admin, entry, changes, self.now())
            except ValueError as error:
                raise ControlError(400, str(error)) from error

    def delete_transaction(self, entry_id: str) -> list[Entry]:
        with self._lock:
            admin, entry = self.find_entry(entry_id)
            try:
                return editing.delete_booking(admin, entry, self.now())
            except ValueError as error:
                raise ControlError(409, str(error)) from error

    def settle_item(self, item_id: str, spec: Mapping[str, object]) -> list[Entry]:
        with self._lock:
            admin, item = self.find_item(item_id)
            try:
                return editing.settle_item(admin, item, spec, self.now())
            except ValueError as error:
                raise ControlError(400, str(error)) from error

    def update_item(self, item_id: str, changes: Mapping[str, object]) -> OpenItem:
        with self._lock:
            _, item = self.find_item(item_id)
            try:
                editing.alter_item(item, changes)
            except ValueError as error:
                raise ControlError(400, str(error)) from error
            return item

    def add_fault(self, spec: Mapping[str, object]) -> Fault:
        try:
            return self.faults.add(spec)
        except ValueError as error:
            raise ControlError(400, str(error)) from error

    def quota_usage(self) -> dict[str, object]:
        now = self.now()
        return {
            "limit": self.quota.limit,
            "day": local_day(now).isoformat(),
            "domains": [
                {"id": domain.id, "name": domain.name, "region": domain.region, "used": self.quota.used(domain.id, now)}
                for domain in self.domains
            ],
        }
