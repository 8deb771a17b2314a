"""Syncing a Yuki administration: open receivables and payables, bank and cash ledger movements,
GL balances, and contacts. Every call is counted against the daily quota first.

The ledger is read month by month the first time (the month reached is saved with its rows, so
a sync stopped by the quota resumes there the next day) and through ChangeDigest afterwards,
which also reports deleted transactions.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection as database
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from banking.ingest import AccountDay, announce_written, delete_transactions, save_transactions
from banking.models import BankAccount, BankTransaction, Bill, TransactionStatus, supersede_booked_duplicates
from core.bulk import UpsertPlan, copy_upsert
from core.months import next_month
from integrations.models import Connection, ExternalBooking, Provider, SyncRun
from integrations.yuki import linking
from integrations.yuki.client import ChangedTransaction, GLTransaction, OpenItem, YukiClient
from invoices.models import Client, Invoice, InvoiceSource
from invoices.models.invoices import OPEN_STATUSES
from invoices.services.imports import ImportedInvoice, follow_booked_invoice, mirror_invoices, retire_mirror

INCREMENTAL_OVERLAP = datetime.timedelta(days=2)
BULK_SIZE = 1000
PAYABLE_FIELDS = (
    "supplier",
    "supplier_code",
    "reference",
    "description",
    "date",
    "due_date",
    "original_amount",
    "open_amount",
    "settled_on",
)
# What a ledger line sets: the same on every line, and taken from Yuki's line (_ledger_values).
LEDGER_CONSTANTS = {"status": TransactionStatus.BOOKED.value, "currency": "EUR"}
LEDGER_VALUES = ("value_date", "execution_date", "amount", "counterpart_name", "description")
LEDGER_FIELDS = ["account", *LEDGER_CONSTANTS, *LEDGER_VALUES]
# A line's id, its account's pk and its LEDGER_VALUES.
LedgerLine = tuple[str, int, tuple[Any, ...]]

_LEDGER_PLAN = UpsertPlan(
    table=BankTransaction._meta.db_table,
    columns=("external_id", "account_id", *LEDGER_VALUES, "raw"),
    key=("connection_id", "external_id"),
    # A changed line loses its category: the pipeline after the sync puts it where its fields now match.
    update=("account_id", *LEDGER_CONSTANTS, *LEDGER_VALUES, "category", "updated_at"),
    compare=("account_id", *LEDGER_CONSTANTS, *LEDGER_VALUES),
    returning=("id", "account_id", "execution_date"),
    previous=("account_id", "execution_date"),
)
# The columns a ledger line leaves empty; `raw` is staged ("{}"): a JSON constant cannot be one.
_LEDGER_BLANKS = (
    "counterpart_iban",
    "remittance_information",
    "remittance_information_type",
    "bank_transaction_code",
    "raw_digest",
)


class YukiSync:
    def __init__(self, connection: Connection, run: SyncRun) -> None:
        self.connection = connection
        self.run = run
        self.config: dict[str, Any] = dict(connection.config)
        self.administration = str(self.config["administration_id"])
        self._clients: dict[str, Client] = {}

    def sync(self) -> None:
        client = linking.client_for(self.connection)
        self._receivables(client)
        self._payables(client)
        self._contacts(client)  # after the receivables: it enriches the clients they made
        self._ledger(client)
        self._balances(client)

    def _save_config(self, **changes: Any) -> None:
        """Progress markers, saved inside the transaction of the rows they cover."""
        self.config.update(changes)
        Connection.objects.filter(pk=self.connection.pk).update(config=self.config)

    # --- contacts ------------------------------------------------------------------------

    def _contacts(self, client: YukiClient) -> None:
        """Enrich the clients matched by their Yuki contact code (email, VAT number, address)."""
        domain = str(self.config.get("domain_id") or "")
        if not domain:
            return
        since = self.config.get("contacts_synced_on")
        contacts = client.search_contacts(domain, datetime.date.fromisoformat(since) if since else None)
        self.run.pages_fetched += 1
        by_code = {contact.code: contact for contact in contacts if contact.code}
        with transaction.atomic():
            for local in Client.objects.for_organization(self.connection.organization).filter(
                external_code__in=list(by_code)
            ):
                contact = by_code[local.external_code]
                updates = {
                    "email": contact.email or local.email,
                    "vat_number": contact.vat_number or local.vat_number,
                    "city": contact.city or local.city,
                    "postal_code": contact.postcode or local.postal_code,
                    "address_line1": contact.address or local.address_line1,
                }
                if any(getattr(local, name) != value for name, value in updates.items()):
                    Client.objects.filter(pk=local.pk).update(**updates)
                    self.run.rows_updated += 1
            self._save_config(contacts_synced_on=timezone.localdate().isoformat())

    # --- receivables ---------------------------------------------------------------------

    def _receivables(self, client: YukiClient) -> None:
        items = client.outstanding_debtor_items(self.administration)
        self.run.pages_fetched += 1
        ours = self._booked_invoices({item.reference for item in items if item.reference})
        linked: dict[str, int] = {}
        mirrored: list[tuple[Client, ImportedInvoice]] = []
        # One transaction: the clients made for the open items commit with their mirrors, not one by one.
        with transaction.atomic():
            for item in items:
                invoice = ours.get(item.reference or "")
                if invoice is not None:
                    self._follow_booked(invoice, item)
                    linked[item.id] = invoice.pk
                else:
                    mirrored.append((self._client_for(item), self._imported(item)))
            for _, created, changed in mirror_invoices(self.connection.organization, "yuki", mirrored):
                self._count(created, changed)
        self._settle_vanished_booked(linked)
        self._settle_vanished_receivables({item.id for item in items if item.id not in linked})

    def _booked_invoices(self, references: set[str]) -> dict[str, Invoice]:
        """Invoices made here and booked in this administration, by the reference Yuki shows."""
        bookings = (
            ExternalBooking.objects.filter(
                organization_id=self.connection.organization_id,
                succeeded=True,
                connection__provider=Provider.YUKI,
                connection__external_id=self.connection.external_id,
                invoice__source=InvoiceSource.MANUAL,
            )
            .filter(Q(external_reference__in=references) | Q(invoice__number__in=references))
            .select_related("invoice")
        )
        found: dict[str, Invoice] = {}
        for booking in bookings:
            for reference in {booking.external_reference, booking.invoice.number} & references:
                found[reference] = booking.invoice
        return found

    def _follow_booked(self, invoice: Invoice, item: OpenItem) -> None:
        """Yuki's open item of an invoice booked from here: never a mirror, only its open amount.
        A mirror made of it before (a duplicate) is retired, so the figures heal."""
        duplicates = Invoice.all_objects.filter(
            organization_id=self.connection.organization_id, source=InvoiceSource.YUKI, external_id=item.id
        )
        for duplicate in duplicates:
            if retire_mirror(duplicate, reason=f"Yuki's open item of {invoice.number}, which was booked from here"):
                self.run.rows_updated += 1
        self._count(False, follow_booked_invoice(invoice, item.open_amount, "yuki"))

    def _settle_vanished_booked(self, linked: dict[str, int]) -> None:
        """A booked invoice whose open item left Yuki's list is settled there. Only one seen open
        before: Yuki lists a booked invoice only once it has processed it."""
        previous: dict[str, int] = dict(self.config.get("booked_open_items", {}))
        gone = [pk for item_id, pk in previous.items() if item_id not in linked]
        for invoice in Invoice.objects.filter(pk__in=gone, organization_id=self.connection.organization_id):
            self._count(False, follow_booked_invoice(invoice, Decimal("0.00"), "yuki"))
        with transaction.atomic():
            self._save_config(booked_open_items=linked)

    def _imported(self, item: OpenItem) -> ImportedInvoice:
        return ImportedInvoice(
            source="yuki",
            external_id=item.id,
            number=item.reference or "",
            description=item.description or "",
            issue_date=item.date or timezone.localdate(),
            due_date=item.due_date,
            currency="EUR",
            total=item.original_amount,
            open_amount=item.open_amount,
        )

    def _settle_vanished_receivables(self, open_ids: set[str]) -> None:
        """An invoice that left Yuki's open list is paid there: settle its mirror in full."""
        vanished = Invoice.objects.filter(
            organization_id=self.connection.organization_id, source=InvoiceSource.YUKI, status__in=OPEN_STATUSES
        ).exclude(external_id__in=open_ids)
        settled = [
            (
                invoice.client,
                ImportedInvoice(
                    source="yuki",
                    external_id=invoice.external_id,
                    number=invoice.number,
                    description=invoice.notes,
                    issue_date=invoice.issue_date,
                    due_date=invoice.due_date,
                    currency=invoice.currency,
                    total=invoice.total,
                    open_amount=Decimal("0.00"),
                ),
            )
            for invoice in vanished.select_related("client")
        ]
        mirror_invoices(self.connection.organization, "yuki", settled)
        self.run.rows_updated += len(settled)

    def _client_for(self, item: OpenItem) -> Client:
        key = item.contact_code or item.vat_number or item.contact or ""
        if key in self._clients:
            return self._clients[key]
        organization_clients = Client.objects.for_organization(self.connection.organization)
        found = (
            (item.contact_code and organization_clients.filter(external_code=item.contact_code).first())
            or (item.vat_number and organization_clients.filter(vat_number=item.vat_number).first())
            or (item.contact and organization_clients.filter(name__iexact=item.contact).first())
            or None
        )
        if found is None:
            found = Client.objects.create(
                organization=self.connection.organization,
                name=(item.contact or "Yuki contact")[:200],
                external_code=item.contact_code or "",
                vat_number=item.vat_number or "",
                country=(item.country or "BE")[:2],
                email=item.email or "",
            )
        self._clients[key] = found
        return found

    # --- payables ------------------------------------------------------------------------

    def _payables(self, client: YukiClient) -> None:
        items = client.outstanding_creditor_items(self.administration)
        self.run.pages_fetched += 1
        today = timezone.localdate()
        bills = Bill.objects.filter(connection=self.connection)
        with transaction.atomic():
            existing = {bill.external_id: bill for bill in bills}
            new: list[Bill] = []
            changed: list[Bill] = []
            for item in items:
                fields = {
                    "supplier": (item.contact or "")[:200],
                    "supplier_code": item.contact_code or "",
                    "reference": (item.reference or "")[:100],
                    "description": (item.description or "")[:300],
                    "date": item.date,
                    "due_date": item.due_date,
                    "original_amount": item.original_amount,
                    "open_amount": item.open_amount,
                    "settled_on": None,
                }
                bill = existing.get(item.id)
                if bill is None:
                    new.append(
                        Bill(
                            organization_id=self.connection.organization_id,
                            connection=self.connection,
                            external_id=item.id,
                            last_seen_on=today,
                            **fields,
                        )
                    )
                    continue
                differs = any(getattr(bill, name) != value for name, value in fields.items())
                if differs:
                    for name, value in fields.items():
                        setattr(bill, name, value)
                    changed.append(bill)
                self._count(False, differs)
            Bill.objects.bulk_create(new, batch_size=BULK_SIZE)
            Bill.objects.bulk_update(changed, [*PAYABLE_FIELDS], batch_size=BULK_SIZE)
            self.run.rows_added += len(new)
            seen = [existing[item.id].pk for item in items if item.id in existing]
            for start in range(0, len(seen), BULK_SIZE):
                bills.filter(pk__in=seen[start : start + BULK_SIZE]).exclude(last_seen_on=today).update(
                    last_seen_on=today
                )
            # Settled on the day it was last seen open: the best date a daily list can give.
            self.run.rows_updated += (
                bills.filter(settled_on__isnull=True)
                .exclude(external_id__in=[item.id for item in items])
                .update(settled_on=Coalesce("last_seen_on", Value(today)), open_amount=0)
            )
            # A bill that also came over Peppol counts once: as booked here.
            supersede_booked_duplicates(self.connection.organization_id)

    # --- ledger --------------------------------------------------------------------------

    def _gl_accounts(self) -> list[str]:
        return [str(code) for code in self.config.get("gl_accounts", [])]

    def _ledger(self, client: YukiClient) -> None:
        codes = self._gl_accounts()
        if not codes:
            return
        today = timezone.localdate()
        accounts = {code: self._bank_account(code) for code in codes}
        synced_until = self.config.get("ledger_synced_until")
        if synced_until is None or self.config.get("ledger_months_done") != "all":
            self._ledger_by_month(client, accounts, today)
        else:
            self._ledger_changes(client, accounts, datetime.date.fromisoformat(synced_until), today)

    def _bank_account(self, code: str) -> BankAccount:
        account, _ = BankAccount.objects.get_or_create(
            connection=self.connection,
            external_id=f"gl:{code}",
            defaults={
                "organization_id": self.connection.organization_id,
                "name": f"Ledger {code}",
                "subtype": "ledger",
            },
        )
        return account

    def _ledger_by_month(self, client: YukiClient, accounts: dict[str, BankAccount], today: datetime.date) -> None:
        """One call a month: with several accounts read, GLAccountTransactions with an empty code
        (every account, which Yuki allows) and the lines of the accounts read kept."""
        code = next(iter(accounts)) if len(accounts) == 1 else ""
        start = self.config.get("ledger_next_month")
        month = datetime.date.fromisoformat(start) if start else datetime.date(today.year - 2, today.month, 1)
        while month <= today:
            end = min(next_month(month) - datetime.timedelta(days=1), today)
            transactions = client.gl_account_transactions(self.administration, code, month, end, only=accounts)
            self.run.pages_fetched += 1
            with transaction.atomic():
                self._upsert_ledger(accounts, transactions)
                done = next_month(month) > today
                self._save_config(
                    ledger_next_month=next_month(month).isoformat(),
                    ledger_months_done="all" if done else "partial",
                    ledger_synced_until=today.isoformat() if done else None,
                )
            month = next_month(month)

    def _ledger_changes(
        self, client: YukiClient, accounts: dict[str, BankAccount], since: datetime.date, today: datetime.date
    ) -> None:
        changes = client.updated_and_deleted_transactions(self.administration, since - INCREMENTAL_OVERLAP, today)
        self.run.pages_fetched += 1
        # A line moved to an account we do not read has left ours: it goes, like a deleted one.
        gone = [change.id for change in changes if change.deleted or change.gl_account_code not in accounts]
        with transaction.atomic():
            self.run.rows_updated += delete_transactions(
                self.connection.organization_id,
                BankTransaction.objects.filter(connection=self.connection, external_id__in=gone),
            )
            self._upsert_ledger(accounts, [change for change in changes if not change.deleted])
            self._save_config(ledger_synced_until=today.isoformat())

    def _upsert_ledger(
        self, accounts: dict[str, BankAccount], transactions: Sequence[GLTransaction | ChangedTransaction]
    ) -> None:
        """Insert or update the lines of the accounts read (others are skipped), in one write."""
        lines = _ledger_lines(accounts, transactions)
        if database.vendor == "postgresql":
            self._upsert_ledger_by_copy(lines)
        else:
            self._upsert_ledger_by_orm(lines)

    def _upsert_ledger_by_copy(self, lines: list[LedgerLine]) -> None:
        """PostgreSQL: COPY into a staging table and one INSERT … ON CONFLICT (core.bulk)."""
        now = timezone.now()
        constants = {
            "organization_id": self.connection.organization_id,
            "connection_id": self.connection.pk,
            **LEDGER_CONSTANTS,
            **dict.fromkeys(_LEDGER_BLANKS, ""),
            "category": "",  # banking.pipeline categorises after the sync
            "created_at": now,
            "updated_at": now,
        }
        staged = ((external_id, account_id, *values, "{}") for external_id, account_id, values in lines)
        written = copy_upsert(_LEDGER_PLAN, staged, constants)
        announce_written(self.connection.organization_id, written)
        added = sum(row.inserted for row in written)
        self.run.rows_added += added
        self.run.rows_updated += len(written) - added
        self.run.rows_unchanged += len(lines) - len(written)

    def _upsert_ledger_by_orm(self, lines: list[LedgerLine]) -> None:
        """Any database: read the existing rows, then bulk INSERT and UPDATE through the ORM."""
        existing = {
            row.external_id: row
            for row in BankTransaction.objects.filter(
                connection=self.connection, external_id__in=[external_id for external_id, _, _ in lines]
            )
        }
        new: list[BankTransaction] = []
        changed: list[BankTransaction] = []
        previous_days: set[AccountDay] = set()
        for external_id, account_id, values in lines:
            fields = {**LEDGER_CONSTANTS, **dict(zip(LEDGER_VALUES, values, strict=True))}
            row = existing.get(external_id)
            if row is None:
                new.append(
                    BankTransaction(
                        organization_id=self.connection.organization_id,
                        connection=self.connection,
                        external_id=external_id,
                        account_id=account_id,
                        **fields,
                    )
                )
                continue
            differs = row.account_id != account_id or any(getattr(row, name) != value for name, value in fields.items())
            if differs:
                if row.execution_date:
                    previous_days.add((row.account_id, row.execution_date))
                row.account_id = account_id
                for name, value in fields.items():
                    setattr(row, name, value)
                changed.append(row)
            self._count(False, differs)
        save_transactions(self.connection.organization_id, new, changed, LEDGER_FIELDS, previous_days)
        self.run.rows_added += len(new)

    # --- balances ------------------------------------------------------------------------

    def _balances(self, client: YukiClient) -> None:
        codes = set(self._gl_accounts())
        if not codes:
            return
        today = timezone.localdate()
        balances = client.gl_account_balance(self.administration, today)
        self.run.pages_fetched += 1
        for balance in balances:
            if balance.code in codes:
                BankAccount.objects.filter(connection=self.connection, external_id=f"gl:{balance.code}").update(
                    current_balance=balance.amount,
                    current_balance_date=timezone.now(),
                    name=(balance.description or f"Ledger {balance.code}")[:200],
                )

    def _count(self, created: bool, changed: bool = True) -> None:
        if created:
            self.run.rows_added += 1
        elif changed:
            self.run.rows_updated += 1
        else:
            self.run.rows_unchanged += 1


def _ledger_lines(
    accounts: dict[str, BankAccount], transactions: Sequence[GLTransaction | ChangedTransaction]
) -> list[LedgerLine]:
    """The lines of the accounts read, as the upserts take them."""
    return [
        (entry.id, accounts[entry.gl_account_code].pk, _ledger_values(entry))
        for entry in transactions
        if entry.gl_account_code in accounts
    ]


def _ledger_values(entry: GLTransaction | ChangedTransaction) -> tuple[Any, ...]:
    """A Yuki line's LEDGER_VALUES: its date is both the value and the execution date."""
    counterpart = entry.contact if isinstance(entry, GLTransaction) else entry.full_name
    return (entry.date, entry.date, entry.amount, (counterpart or "")[:200], (entry.description or "")[:300])
