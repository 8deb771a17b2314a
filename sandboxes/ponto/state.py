"""The sandbox's in-memory, thread-safe state: a seeded organisation, its clock, tokens and faults.

`PontoSandbox` is both the Python API tests and demos drive and what the WSGI application
(`sandbox.wsgi_app`) serves. Time is the sandbox clock: `now()` plus whatever `advance()` added,
so token expiry, synchronizations and consent can be fast-forwarded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

from sandboxes.kit.clock import MovableClock
from sandboxes.kit.exact_json import decimal_text
from sandboxes.kit.web import ControlError
from sandboxes.ponto.api_errors import ApiError, not_found, validation_error
from sandboxes.ponto.app import SandboxApp
from sandboxes.ponto.editing import apply_changes, parse_changes, transaction_from_spec
from sandboxes.ponto.encoding import iso_ms
from sandboxes.ponto.faults import Fault, FaultBook
from sandboxes.ponto.generator import stamper
from sandboxes.ponto.oauth import Client, TokenStore
from sandboxes.ponto.records import SYNC_SUBTYPES, Account, CustomerPayment, Synchronization, Transaction
from sandboxes.ponto.seeding import CONSENT_DAYS, Seeder, sequence
from sandboxes.ponto.webhooks import ISSUER, Signer, WebhookSender

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - a well-known sandbox credential
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/connections/ponto/callback/",
    "http://localhost:8000/connections/ponto/callback/",
)
RECENTLY_SYNCHRONIZED = (
    "This type of synchronization was already created recently for the account. Try again later or on the Dashboard."
)
AUTHORIZATION_EXPIRED = {
    "code": "authorizationExpired",
    "detail": "The authorization for this account has expired. The user must reauthorize it.",
    "meta": {},
}


@dataclasses.dataclass(slots=True)
class Reauthorization:
    id: str
    account_id: str
    redirect_uri: str


class PontoSandbox(MovableClock):
    """An offline Ponto Connect: seeded accounts and transactions, OAuth, syncs, faults, webhooks.

    `transactions_per_account` is the number of bookings on the first (main) account; the savings
    account gets its monthly transfers and interest, further current accounts a quarter as many.
    `customer_payments` are booked on the main account as given, in place of the invoice payments
    the sandbox would make up (`make run` gives the demo organisation's clients' payments).
    """

    def __init__(
        self,
        seed: int = 2026,
        transactions_per_account: int = 1500,
        accounts: int = 3,
        now: Callable[[], datetime] | None = None,
        *,
        sync_cooldown: float = 60.0,
        sync_running_after: float = 1.0,
        sync_done_after: float = 2.0,
        access_token_lifetime: int = 1799,
        code_lifetime: int = 600,
        revoke_access_tokens_on_refresh: bool = True,
        webhook_issuer: str = ISSUER,
        customer_payments: Sequence[CustomerPayment] = (),
    ) -> None:
        if accounts < 1 or transactions_per_account < 0:
            raise ValueError("a sandbox has at least one account and no negative number of transactions")
        super().__init__(now)
        self.sync_cooldown = sync_cooldown
        self.sync_running_after = sync_running_after
        self.sync_done_after = sync_done_after
        self._seq = sequence()
        seeder = Seeder(Random(seed), self._seq, self.now(), customer_payments)  # noqa: S311 - made-up data, not secrets
        self.organization = seeder.organization
        self.institutions = seeder.institutions
        self.accounts = seeder.accounts(accounts, transactions_per_account)
        self._factory = seeder.factory
        self._accounts = {account.id: account for account in self.accounts}
        self._transactions = {t.id: t for account in self.accounts for t in (*account.transactions, *account.pending)}
        self._syncs: dict[str, Synchronization] = {}
        self._open_syncs: list[Synchronization] = []
        self._latest: dict[tuple[str, str], Synchronization] = {}
        self._synchronized_at: dict[str, datetime] = {}
        self._last_requested: dict[tuple[str, str], datetime] = {}
        self._reauthorizations: dict[str, Reauthorization] = {}
        for account in self.accounts:  # Ponto synchronized every account an hour ago by itself
            for subtype in ("accountDetails", "accountTransactions"):
                self._new_sync(account, subtype, automatic=True, at=self.now() - timedelta(hours=1))
        self.oauth = TokenStore(
            clock=self.now,
            access_lifetime=access_token_lifetime,
            code_lifetime=code_lifetime,
            revoke_access_on_refresh=revoke_access_tokens_on_refresh,
        )
        self.oauth.register_client(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS)
        self.faults = FaultBook()
        self.webhooks = WebhookSender(Signer(self._factory.new_id(), webhook_issuer))
        self.webhooks.configure(None, DEFAULT_CLIENT_ID)
        self.wsgi_app = SandboxApp(self)

    # --- clock ----------------------------------------------------------------------------------
    def advance(self, seconds: float) -> datetime:
        """Move the sandbox clock forward (tokens expire, syncs finish, pending bookings settle)."""
        super().advance(seconds)
        self.tick()
        return self.now()

    def tick(self) -> None:
        """Settle what the clock has made due: finished syncs, pending bookings that book now."""
        events: list[dict[str, object]] = []
        with self._lock:
            now = self.now()
            for account in self.accounts:
                due = [p for p in account.pending if p.books_at is not None and p.books_at <= now]
                if due:
                    booked = [self._book_pending(pending, {}) for pending in due]
                    events.extend(self._announce(account, "pontoConnect.account.transactionsCreated", booked))
            for sync in [sync for sync in self._open_syncs if sync.done_at <= now]:
                self._open_syncs.remove(sync)
                events.extend(self._finish(sync))
        self._send(events)

    # --- lookups ----------------------------------------------------------------------------------
    def account(self, account_id: str) -> Account:
        account = self._accounts.get(account_id)
        if account is None:
            raise not_found("account")
        return account

    def transaction(self, account_id: str, transaction_id: str, *, pending: bool) -> Transaction:
        transaction = self._transactions.get(transaction_id)
        if transaction is None or transaction.account_id != account_id or transaction.pending != pending:
            raise not_found("pendingTransaction" if pending else "transaction")
        return transaction

    def synchronization(self, sync_id: str) -> Synchronization:
        sync = self._syncs.get(sync_id)
        if sync is None:
            raise not_found("synchronization")
        return sync

    def latest_synchronization(
        self, account_id: str, subtypes: Iterable[str] = SYNC_SUBTYPES
    ) -> Synchronization | None:
        candidates = [self._latest[(account_id, s)] for s in subtypes if (account_id, s) in self._latest]
        return max(candidates, key=lambda sync: sync.seq, default=None)

    def synchronized_at(self, account_id: str) -> datetime | None:
        return self._synchronized_at.get(account_id)

    def consent_expired(self, account: Account) -> bool:
        return self.faults.consent_expired() or self.now() >= account.authorization_expires_at

    # --- consent ------------------------------------------------------------------------------------
    def grant_consent(self, accounts: Iterable[Account] | None = None) -> None:
        """The user approved (or reauthorized): a fresh 90-day authorization."""
        with self._lock:
            now = self.now()
            for account in self.accounts if accounts is None else accounts:
                account.authorized_at = now
                account.authorization_expires_at = now + timedelta(days=CONSENT_DAYS)

    def request_reauthorization(self, account_id: str, redirect_uri: str) -> Reauthorization:
        with self._lock:
            request = Reauthorization(self._factory.new_id(), self.account(account_id).id, redirect_uri)
            self._reauthorizations[request.id] = request
            return request

    def complete_reauthorization(self, request_id: str) -> str:
        with self._lock:
            request = self._reauthorizations.pop(request_id, None)
            if request is None:
                raise ControlError(404, "unknown or already used reauthorization request")
            self.grant_consent([self.account(request.account_id)])
            return request.redirect_uri

    # --- synchronizations -----------------------------------------------------------------------------
    def create_synchronization(self, account_id: str, subtype: str, customer_ip_address: str | None) -> Synchronization:
        if subtype not in SYNC_SUBTYPES:
            raise validation_error("subtype", f"subtype must be one of {', '.join(SYNC_SUBTYPES)}.")
        with self._lock:
            account = self.account(account_id)
            now = self.now()
            last = self._last_requested.get((account.id, subtype))
            if last is not None and (now - last).total_seconds() < self.sync_cooldown:
                raise ApiError(400, "accountRecentlySynchronized", RECENTLY_SYNCHRONIZED, request_id=False)
            self._last_requested[(account.id, subtype)] = now
            sync = self._new_sync(account, subtype, automatic=False, at=now)
            sync.customer_ip_address = customer_ip_address
            return sync

    def _new_sync(self, account: Account, subtype: str, *, automatic: bool, at: datetime) -> Synchronization:
        running = timedelta(seconds=0 if automatic else self.sync_running_after)
        done = timedelta(seconds=0 if automatic else self.sync_done_after)
        sync = Synchronization(
            id=self._factory.new_id(),
            seq=next(self._seq),
            account_id=account.id,
            subtype=subtype,
            created_at=at,
            running_at=at + running,
            done_at=at + done,
            automatic=automatic,
        )
        self._syncs[sync.id] = sync
        self._latest[(account.id, subtype)] = sync
        if automatic:
            sync.final_status = "success"
            self._synchronized_at[account.id] = at
        else:
            self._open_syncs.append(sync)
        return sync

    def _finish(self, sync: Synchronization) -> list[dict[str, object]]:
        account = self._accounts[sync.account_id]
        extra: dict[str, object] = {}
        if self.consent_expired(account):
            sync.final_status, sync.errors = "error", [dict(AUTHORIZATION_EXPIRED)]
            event = "pontoConnect.synchronization.failed"
        else:
            sync.final_status = "success"
            self._synchronized_at[account.id] = sync.done_at
            if sync.subtype != "accountDetails":
                sync.updated_ids = self._take_updates(account.updated_booked, sync.done_at)
            if sync.subtype == "accountTransactionsWithUnsettled":
                sync.updated_pending_ids = self._take_updates(account.updated_pending, sync.done_at)
            event = "pontoConnect.synchronization.succeededWithoutChange"
            if sync.updated_ids:
                event, extra = "pontoConnect.account.transactionsUpdated", {"count": len(sync.updated_ids)}
        return [self._event(event, account, sync, **extra)] if self.webhooks.enabled else []

    def _take_updates(self, updated: dict[str, None], until: datetime) -> list[str]:
        taken = [tid for tid in updated if tid in self._transactions and self._transactions[tid].updated_at <= until]
        for tid in taken:
            del updated[tid]
        return taken

    def updated_transactions(self, sync: Synchronization, *, pending: bool) -> list[Transaction]:
        """The sync's updated transactions, oldest first; empty until it has succeeded."""
        if sync.final_status != "success":
            return []
        ids = sync.updated_pending_ids if pending else sync.updated_ids
        found = [self._transactions[tid] for tid in ids if tid in self._transactions]
        return sorted(found, key=lambda transaction: transaction.seq)

    # --- changing the data (control API) ---------------------------------------------------------------
    def add_transactions(
        self,
        account_id: str,
        count: int = 0,
        transactions: Iterable[Mapping[str, object]] = (),
        *,
        pending: bool = False,
    ) -> list[Transaction]:
        """Book (or, with `pending`, hold as pending) `count` generated transactions plus the given ones."""
        with self._lock:
            account = self.account(account_id)
            now = self.now()
            stamp = stamper(local_midnight=account.local_midnight_dates)
            today = now.date()
            drafts = [self._factory.everyday(account.id, today, stamp, invoices=True) for _ in range(count)]
            try:
                drafts += [transaction_from_spec(spec, account.id, stamp(today)) for spec in transactions]
            except ValueError as error:
                raise ControlError(400, str(error)) from error
            for draft in drafts:
                self._register(account, draft, now, pending=pending)
            kind = "pendingTransactionsCreated" if pending else "transactionsCreated"
            events = self._announce(account, f"pontoConnect.account.{kind}", drafts)
        self._send(events)
        return drafts

    def update_transaction(self, transaction_id: str, changes: Mapping[str, object]) -> Transaction:
        """Change a booked or pending transaction the way a bank corrects one: same id, new updatedAt."""
        try:
            fields = parse_changes(changes)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        with self._lock:
            transaction = self._transactions.get(transaction_id)
            if transaction is None:
                raise ControlError(404, "no transaction or pending transaction has that id")
            account = self._accounts[transaction.account_id]
            new_amount = fields.get("amount", transaction.amount)
            if not transaction.pending and isinstance(new_amount, Decimal):
                account.booked_total += new_amount - transaction.amount
            apply_changes(transaction, fields)
            transaction.updated_at = self.now()
            (account.updated_pending if transaction.pending else account.updated_booked)[transaction.id] = None
            events: list[dict[str, object]] = []
            if self.webhooks.enabled and not transaction.pending:
                sync = self._new_sync(account, "accountTransactions", automatic=True, at=self.now())
                sync.updated_ids = [transaction.id]
                events.append(self._event("pontoConnect.account.transactionsUpdated", account, sync, count=1))
        self._send(events)
        return transaction

    def synchronize(self, account_id: str, subtype: str = "accountTransactions") -> Synchronization:
        """Ponto synchronizes the account by itself, as it does several times a day: the bank's
        corrections since the last synchronization become this one's updated transactions and
        it becomes the account's `meta.latestSynchronization`; nobody asked for it."""
        if subtype not in SYNC_SUBTYPES:
            raise ControlError(400, f"subtype must be one of {', '.join(SYNC_SUBTYPES)}")
        with self._lock:
            account = self.account(account_id)
            now = self.now()
            sync = self._new_sync(account, subtype, automatic=True, at=now)
            if subtype != "accountDetails":
                sync.updated_ids = self._take_updates(account.updated_booked, now)
            if subtype == "accountTransactionsWithUnsettled":
                sync.updated_pending_ids = self._take_updates(account.updated_pending, now)
            events: list[dict[str, object]] = []
            if self.webhooks.enabled:
                event, extra = "pontoConnect.synchronization.succeededWithoutChange", {}
                if sync.updated_ids:
                    event, extra = "pontoConnect.account.transactionsUpdated", {"count": len(sync.updated_ids)}
                events.append(self._event(event, account, sync, **extra))
        self._send(events)
        return sync

    def book_pending(self, pending_id: str, changes: Mapping[str, object] | None = None) -> Transaction:
        """The bank settles a pending transaction: it disappears and a booked one with a new id appears."""
        try:
            fields = parse_changes(changes or {})
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        with self._lock:
            pending = self._transactions.get(pending_id)
            if pending is None or not pending.pending:
                raise ControlError(404, "no pending transaction has that id")
            booked = self._book_pending(pending, fields)
            events = self._announce(
                self._accounts[booked.account_id], "pontoConnect.account.transactionsCreated", [booked]
            )
        self._send(events)
        return booked

    def _book_pending(self, pending: Transaction, fields: Mapping[str, object]) -> Transaction:
        account = self._accounts[pending.account_id]
        account.pending.remove(pending)
        del self._transactions[pending.id]
        account.updated_pending.pop(pending.id, None)
        booked = dataclasses.replace(pending, pending=False, books_at=None)
        apply_changes(booked, fields)
        self._register(account, booked, self.now(), pending=False)
        return booked

    def _register(self, account: Account, transaction: Transaction, now: datetime, *, pending: bool) -> None:
        transaction.id = self._factory.new_id()
        transaction.seq = next(self._seq)
        transaction.created_at = transaction.updated_at = now
        transaction.pending = pending
        self._transactions[transaction.id] = transaction
        if pending:
            account.pending.append(transaction)
        else:
            account.append(transaction)

    # --- webhooks -------------------------------------------------------------------------------------
    def _announce(self, account: Account, event_type: str, created: list[Transaction]) -> list[dict[str, object]]:
        """Ponto's own sync picked up new bookings: record it and, with a webhook target, tell the client."""
        if not created or not self.webhooks.enabled:
            return []
        subtype = "accountTransactionsWithUnsettled" if "pending" in event_type else "accountTransactions"
        sync = self._new_sync(account, subtype, automatic=True, at=self.now())
        return [self._event(event_type, account, sync, count=len(created))]

    def _event(self, event_type: str, account: Account, sync: Synchronization, **extra: object) -> dict[str, object]:
        attributes: dict[str, object] = {"createdAt": iso_ms(self.now())}
        if event_type.startswith("pontoConnect.synchronization."):
            attributes["synchronizationSubtype"] = sync.subtype
        attributes.update(extra)
        return {
            "data": {
                "type": event_type,
                "id": self._factory.new_id(),
                "attributes": attributes,
                "relationships": {
                    "account": {"data": {"type": "account", "id": account.id}},
                    "organization": {"data": {"type": "organization", "id": self.organization.id}},
                    "synchronization": {"data": {"type": "synchronization", "id": sync.id}},
                },
            }
        }

    def _send(self, events: list[dict[str, object]]) -> None:
        for event in events:
            self.webhooks.send(event, self.now())

    def set_webhook(self, url: str | None, audience: str = DEFAULT_CLIENT_ID) -> None:
        self.webhooks.configure(url, audience)

    # --- other control operations ---------------------------------------------------------------------
    def add_fault(self, spec: Mapping[str, object]) -> Fault:
        try:
            fault = self.faults.add(spec)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        if fault.kind == "revoked":
            self.oauth.revoke_all()
        return fault

    def register_client(self, client_id: str, secret: str, redirect_uris: Iterable[str]) -> Client:
        return self.oauth.register_client(client_id, secret, redirect_uris)

    def ground_truth(self) -> dict[str, object]:
        """Every booked transaction per account, newest first, with counts and sums: what tests compare."""
        with self._lock:
            accounts = []
            for account in self.accounts:
                booked = account.transactions
                accounts.append(
                    {
                        "id": account.id,
                        "reference": account.iban,
                        "subtype": account.subtype,
                        "count": len(booked),
                        "sum": decimal_text(account.booked_total),
                        "openingBalance": decimal_text(account.opening_balance),
                        "currentBalance": decimal_text(account.current_balance),
                        "transactions": [{"id": t.id, "amount": str(t.amount)} for t in reversed(booked)],
                        "pending": [{"id": t.id, "amount": str(t.amount)} for t in reversed(account.pending)],
                    }
                )
            return {"now": iso_ms(self.now()), "organizationId": self.organization.id, "accounts": accounts}
