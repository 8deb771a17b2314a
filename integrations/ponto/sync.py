"""Syncing a Ponto connection: accounts, booked transactions (newest first down to the stored
high-water mark plus an overlap window), pending transactions, and synchronization updates.

Each page is upserted by (connection, Ponto id) in its own transaction, so a fault never loses
what was already fetched; the high-water mark moves only in the transaction of the page that
completes the walk, so an interrupted walk is simply walked again (the upsert absorbs repeats).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min

from integrations.errors import AuthError, PermanentError, ProviderError, TransientError
from integrations.models import BankAccount, BankTransaction, Connection, SyncRun, TransactionStatus
from integrations.models.banking import RawJSONEncoder
from integrations.ponto import mapping
from integrations.ponto.client import PontoClient
from integrations.services import forget_banners
from integrations.writes import AccountDay, save_transactions

UPDATABLE_FIELDS = [
    "account", "status", "value_date", "execution_date", "amount", "currency", "counterpart_name",
    "counterpart_iban", "remittance_information", "remittance_information_type", "bank_transaction_code",
    "description", "raw",
]  # fmt: skip
SYNCHRONIZATION_POLL_SECONDS = 30
# Pages are written in batches of about this many rows: fewer, larger transactions.
FLUSH_ROWS = 1000


def _digest(resource: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(resource, sort_keys=True, cls=RawJSONEncoder).encode()).hexdigest()


class PontoSync:
    def __init__(self, connection: Connection, run: SyncRun) -> None:
        self.connection = connection
        self.run = run

    def sync(self) -> None:
        with PontoClient(self.connection) as client:
            try:
                self._sync_with(client)
            finally:
                self.run.request_ids = client.request_ids[-100:]
                self.run.save()

    def _sync_with(self, client: PontoClient) -> None:
        self._save_accounts(client.accounts())
        for account in BankAccount.objects.filter(connection=self.connection, included=True):
            if settings.PONTO_REQUEST_SYNCHRONIZATION:
                self._apply_synchronization(client, account)
            self._sync_booked(client, account)
            self._sync_pending(client, account)

    # --- accounts ------------------------------------------------------------------------

    def _save_accounts(self, resources: list[dict[str, Any]]) -> None:
        with transaction.atomic():
            for resource in resources:
                BankAccount.objects.update_or_create(
                    connection=self.connection,
                    external_id=resource["id"],
                    defaults={"organization_id": self.connection.organization_id, **mapping.account_fields(resource)},
                )
            expiry = BankAccount.objects.filter(connection=self.connection, included=True).aggregate(
                first=Min("authorization_expires_at")
            )["first"]
            if expiry != self.connection.consent_expires_at:
                Connection.objects.filter(pk=self.connection.pk).update(consent_expires_at=expiry)
                forget_banners(self.connection.organization_id)

    # --- booked transactions -------------------------------------------------------------

    def _sync_booked(self, client: PontoClient, account: BankAccount) -> None:
        stop_id = account.newest_transaction_id
        cutoff = self._overlap_cutoff(stop_id)
        newest_id, seen_mark = "", not stop_id
        buffered: list[dict[str, Any]] = []
        try:
            for page, more in client.transaction_pages(account.external_id):
                self.run.pages_fetched += 1
                newest_id = newest_id or (page[0]["id"] if page else "")
                seen_mark = seen_mark or any(resource["id"] == stop_id for resource in page)
                buffered.extend(page)
                if not more or (seen_mark and bool(stop_id) and self._past_cutoff(page, cutoff)):
                    with transaction.atomic():  # the last rows and the mark that covers them
                        self._upsert(account, buffered, TransactionStatus.BOOKED)
                        BankAccount.objects.filter(pk=account.pk).update(newest_transaction_id=newest_id or stop_id)
                    return
                if len(buffered) >= FLUSH_ROWS:
                    self._flush(account, buffered)
        except ProviderError:
            self._flush(account, buffered)  # whole pages already fetched are kept
            raise

    def _flush(self, account: BankAccount, buffered: list[dict[str, Any]]) -> None:
        with transaction.atomic():
            self._upsert(account, buffered, TransactionStatus.BOOKED)
        buffered.clear()

    def _overlap_cutoff(self, stop_id: str) -> datetime.date | None:
        """Walk down to this execution date: the overlap window below the high-water mark."""
        if not stop_id:
            return None
        mark = BankTransaction.objects.filter(connection=self.connection, external_id=stop_id).first()
        if mark is None or mark.execution_date is None:
            return None
        return mark.execution_date - datetime.timedelta(days=settings.PONTO_OVERLAP_DAYS)

    @staticmethod
    def _past_cutoff(page: list[dict[str, Any]], cutoff: datetime.date | None) -> bool:
        """Whether this page reaches below the overlap window (no window known: stop here)."""
        if cutoff is None or not page:
            return True
        oldest = mapping.parse_date((page[-1].get("attributes") or {}).get("executionDate"))
        return oldest is None or oldest < cutoff

    # --- pending transactions ------------------------------------------------------------

    def _sync_pending(self, client: PontoClient, account: BankAccount) -> None:
        pending = client.pending_transactions(account.external_id)
        with transaction.atomic():
            booked = set(
                BankTransaction.objects.filter(
                    connection=self.connection,
                    status=TransactionStatus.BOOKED,
                    external_id__in=[r["id"] for r in pending],
                ).values_list("external_id", flat=True)
            )
            self._upsert(account, [r for r in pending if r["id"] not in booked], TransactionStatus.PENDING)
            # A pending transaction that Ponto no longer lists was booked (under a new id) or dropped.
            BankTransaction.objects.filter(account=account, status=TransactionStatus.PENDING).exclude(
                external_id__in=[r["id"] for r in pending]
            ).delete()

    # --- synchronization -----------------------------------------------------------------

    def _apply_synchronization(self, client: PontoClient, account: BankAccount) -> None:
        """Ask Ponto to fetch from the bank, wait for it, and apply the transactions it updated."""
        try:
            synchronization = client.create_synchronization(account.external_id, "accountTransactions")
        except PermanentError as exc:
            if "accountRecentlySynchronized" in exc.message:
                return  # Ponto synced this account moments ago: use what it has
            raise
        deadline = time.monotonic() + SYNCHRONIZATION_POLL_SECONDS
        while synchronization["attributes"]["status"] in ("pending", "running"):
            if time.monotonic() > deadline:
                raise TransientError("Ponto's synchronization with the bank did not finish in time.")
            time.sleep(1)
            synchronization = client.synchronization(synchronization["id"])
        if synchronization["attributes"]["status"] == "error":
            errors = synchronization["attributes"].get("errors") or []
            detail = "; ".join(str(e.get("detail") or e.get("code")) for e in errors if isinstance(e, dict))
            raise AuthError(f"Ponto could not reach the bank: {detail or 'authorisation failed'}.")
        updated = client.updated_transactions(synchronization["id"])
        with transaction.atomic():
            self._upsert(account, updated, TransactionStatus.BOOKED)

    # --- the upsert ----------------------------------------------------------------------

    def _upsert(self, account: BankAccount, resources: Iterable[dict[str, Any]], status: str) -> None:
        incoming = {resource["id"]: resource for resource in resources}
        if not incoming:
            return
        existing = {
            row[0]: row[1:]
            for row in BankTransaction.objects.filter(
                connection=self.connection, external_id__in=list(incoming)
            ).values_list("external_id", "raw_digest", "account_id", "status", "pk", "execution_date")
        }
        new: list[BankTransaction] = []
        changed: list[BankTransaction] = []
        previous_days: set[AccountDay] = set()
        for external_id, resource in incoming.items():
            digest = _digest(resource)
            known = existing.get(external_id)
            if known is not None and known[:3] == (digest, account.pk, status):
                self.run.rows_unchanged += 1
                continue
            row = BankTransaction(
                pk=known[3] if known else None,
                organization_id=self.connection.organization_id,
                connection=self.connection,
                account=account,
                external_id=external_id,
                status=status,
                raw_digest=digest,
                **mapping.transaction_fields(resource),
            )
            (changed if known else new).append(row)
            if known and known[4]:
                previous_days.add((known[1], known[4]))
        save_transactions(
            self.connection.organization_id, new, changed, [*UPDATABLE_FIELDS, "raw_digest"], previous_days
        )
        self.run.rows_added += len(new)
        self.run.rows_updated += len(changed)
