"""The sandbox's records: domains, administrations, contacts, GL accounts, GL lines and open items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandboxes.yuki.ledger import Ledger

SALES_INVOICE = (6, "Verkoopfactuur")
PURCHASE_INVOICE = (2, "Inkoopfactuur")
BANK_LINE = (1, "Bankboeking")  # [U] the type of unmatched bank lines (includeBankTransactions)


@dataclass(frozen=True, slots=True)
class GLAccount:
    code: str
    description: str
    balance_type: str  # B = balance sheet, W = profit and loss
    type: int
    subtype: int = 0
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class VatCode:
    percentage: Decimal
    type: int
    description: str


@dataclass(frozen=True, slots=True)
class Project:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    reference: str
    type: str
    folder: str
    tab: str


@dataclass(slots=True)
class Contact:
    id: str
    hid: int
    code: str
    name: str
    type: str  # Company | Person
    address_line: str
    postcode: str
    city: str
    country: str
    vat_number: str
    coc_number: str
    email: str
    phone: str
    website: str
    iban: str
    is_customer: bool
    is_supplier: bool
    created: datetime
    modified: datetime
    tags: str = ""
    active: bool = True


@dataclass(slots=True)
class Entry:
    """One GL line. Lines of one booking share `booking` (the first line's number) and sum to zero."""

    number: int
    booking: int
    day: date
    code: str
    cents: int  # debit positive, credit negative
    description: str
    contact: Contact | None
    project: Project | None
    document: Document | None
    vat: VatCode | None
    created: datetime
    updated: datetime
    deleted: bool = False


@dataclass(slots=True)
class OpenItem:
    """An outstanding debtor or creditor item: an invoice, a journal entry or an unmatched bank line."""

    number: int
    side: str  # debtor | creditor
    type: tuple[int, str]
    day: date
    due: date | None
    contact: Contact | None
    description: str
    original_cents: int
    open_cents: int
    reference: str
    payment_reference: str
    document: Document | None
    payment_method: str
    created: datetime


@dataclass(slots=True)
class Administration:
    id: str
    name: str
    domain_id: str
    country: str
    address_line: str
    postcode: str
    city: str
    coc_number: str
    vat_number: str
    start_date: date
    ledger: Ledger
    active: bool = True
    invoice_counter: int = 0  # the last VF-nnnn number Yuki assigned


@dataclass(slots=True)
class Domain:
    id: str
    name: str
    url: str
    region: str
    administrations: list[Administration] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    def contact_by_code(self, code: str) -> Contact | None:
        wanted = code.strip().lower()
        return next((c for c in self.contacts if wanted and c.code.lower() == wanted), None)

    def contact_by_id(self, contact_id: str) -> Contact | None:
        wanted = contact_id.strip().lower()
        return next((c for c in self.contacts if c.id == wanted), None)
