"""Yuki's SOAP web services with an access key: a session cached for a day, re-authenticated once
when Yuki forgets it, every HTTP call announced to `on_call` (the daily quota is per domain), and
typed results with Decimal amounts.

The framework's ResilientClient does the HTTP: its `parse` hook (`soap.answer_body`) turns an answer
into its SOAP Body or the error a fault means, and its `retryable` hook (`retried_here`) retries only
plain transient failures (timeouts, dropped connections, 5xx, 429, a busy Yuki), never a fault that
means the quota, the session or a refusal."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol
from xml.etree.ElementTree import Element

import httpx
from django.conf import settings

from integrations.errors import PermanentError, ProviderError, TransientError
from integrations.http import ResilientClient, RetryPolicy
from integrations.yuki import soap
from integrations.yuki.soap import (
    Param,
    QuotaExceeded,
    StaleSession,
    XmlFragment,
    required,
    text,
    to_bool,
    to_date,
    to_datetime,
    to_decimal,
    to_int,
)

__all__ = [
    "SALES_CONTACT_ORDER",
    "SALES_INVOICES_NS",
    "SALES_INVOICE_LINE_ORDER",
    "SALES_INVOICE_ORDER",
    "SALES_PRODUCT_ORDER",
    "Administration",
    "ChangedTransaction",
    "Contact",
    "GLAccount",
    "GLBalance",
    "GLTransaction",
    "MemorySessionCache",
    "OpenItem",
    "QuotaExceeded",
    "SalesContact",
    "SalesInvoiceInput",
    "SalesInvoiceResult",
    "SalesLine",
    "SessionCache",
    "StaleSession",
    "YukiClient",
    "sales_invoices_document",
]

logger = logging.getLogger(__name__)

SESSION_TTL = 24 * 3600 - 600  # Yuki keeps a session 24 h; stop using it ten minutes early
CONTACTS_PAGE_SIZE = 100  # fixed by Yuki
DEFAULT_SORT_ORDER = "DateAsc"

# Sales, Purchase and Integration spell the parameters sessionId/administrationId; every other
# service (Accounting, AccountingInfo, Contact, Archive, ChangeDigest) sessionID/administrationID.
_LOWER_ID_SERVICES = frozenset({"Sales", "Purchase", "Integration"})


# ---------------------------------------------------------------------------------------------
# Session cache


class SessionCache(Protocol):
    """Where one access key's session ID lives between clients: the project plugs in one backed
    by Django's cache (keyed per connection, expiring before Yuki's 24 hours)."""

    def get(self) -> str | None: ...

    def set(self, session_id: str) -> None: ...


class MemorySessionCache:
    """The default SessionCache: this client only, expiring a little before Yuki's 24 hours."""

    def __init__(self, ttl: float = SESSION_TTL) -> None:
        self.ttl = ttl
        self._value: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def get(self) -> str | None:
        with self._lock:
            if self._value is None or time.monotonic() >= self._value[1]:
                self._value = None
                return None
            return self._value[0]

    def set(self, session_id: str) -> None:
        with self._lock:
            self._value = (session_id, time.monotonic() + self.ttl)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Administration:
    id: str
    name: str
    country: str | None
    domain_id: str | None
    active: bool


@dataclass(frozen=True)
class OpenItem:
    """An outstanding debtor or creditor item. Amounts as Yuki sends them (positive for both)."""

    id: str
    date: datetime.date
    description: str
    contact: str
    contact_id: str | None
    contact_code: str | None
    open_amount: Decimal
    original_amount: Decimal
    type_id: int | None  # 6 sales invoice, 2 purchase invoice, 21 general journal
    reference: str | None  # the invoice number
    due_date: datetime.date | None
    document_id: str | None
    vat_number: str | None
    country: str | None
    email: str | None


@dataclass(frozen=True)
class GLAccount:
    code: str
    type: str | None
    subtype: str | None
    enabled: bool
    description: str


@dataclass(frozen=True)
class GLBalance:
    """A trial-balance line: credit is negative; balance_type B = balance sheet, W = P&L."""

    code: str
    balance_type: str
    description: str
    amount: Decimal


@dataclass(frozen=True)
class GLTransaction:
    id: str
    date: datetime.date
    description: str
    amount: Decimal  # credit is negative
    contact: str
    contact_id: str | None
    gl_account_code: str


@dataclass(frozen=True)
class ChangedTransaction:
    """An updated or deleted transaction; a deleted one may lack its date and amount."""

    id: str
    date: datetime.date | None
    description: str
    amount: Decimal | None
    gl_account_code: str | None
    contact_id: str | None
    full_name: str | None
    created: datetime.datetime | None
    updated: datetime.datetime | None
    deleted: bool


@dataclass(frozen=True)
class Contact:
    id: str
    code: str | None
    name: str
    vat_number: str | None
    email: str | None
    country: str | None
    city: str | None
    postcode: str | None
    address: str | None
    is_supplier: bool | None  # only GetSuppliersAndCustomers says; SearchContacts leaves it None
    created: datetime.datetime | None
    modified: datetime.datetime | None


@dataclass(frozen=True)
class SalesInvoiceResult:
    succeeded: bool
    reference: str | None
    subject: str | None
    message: str | None


# ---------------------------------------------------------------------------------------------
# Sales invoices to write


@dataclass(frozen=True, kw_only=True)
class SalesContact:
    code: str
    full_name: str | None = None
    country_code: str | None = None  # required by Yuki for a contact it must create
    city: str | None = None
    zipcode: str | None = None
    address_line_1: str | None = None
    email: str | None = None
    vat_number: str | None = None
    contact_type: str | None = None  # Company or Person


@dataclass(frozen=True, kw_only=True)
class SalesLine:
    description: str
    quantity: Decimal  # at most 4 decimals
    unit_price: Decimal  # at most 2 decimals
    vat_percentage: Decimal
    vat_included: bool
    vat_type: int  # with vat_percentage it must match a VAT code of the administration
    gl_account_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class SalesInvoiceInput:
    subject: str
    date: datetime.date
    contact: SalesContact
    lines: list[SalesLine]
    reference: str | None = None  # None: Yuki numbers the invoice
    payment_method: str | None = None  # e.g. ElectronicTransfer (enum in SalesInvoices.xsd)
    payment_id: str | None = None
    process: bool = True  # False: an unnumbered draft in "To be sent"
    email_to_customer: bool = False
    due_date: datetime.date | None = None
    currency: str | None = None
    remarks: str | None = None


SALES_INVOICES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"

# The xs:sequence orders of SalesInvoices.xsd: Yuki rejects the whole call if an element is out of order.
SALES_INVOICE_ORDER = (
    "Reference",
    "Subject",
    "PaymentMethod",
    "PaymentID",
    "Process",
    "EmailToCustomer",
    "SentToPeppol",
    "Layout",
    "Notes",
    "Date",
    "DueDate",
    "PriceList",
    "Currency",
    "ProjectID",
    "ProjectCode",
    "Remarks",
    "Contact",
    "ContactPerson",
    "InvoiceLines",
)
SALES_CONTACT_ORDER = (
    "ContactCode",
    "FullName",
    "FirstName",
    "MiddleName",
    "LastName",
    "Gender",
    "CountryCode",
    "City",
    "Zipcode",
    "AddressLine_1",
    "AddressLine_2",
    "EmailAddress",
    "Website",
    "CoCNumber",
    "VATNumber",
    "ContactType",
    "BankAccount",
    "PhoneHome",
    "MobileHome",
)
SALES_INVOICE_LINE_ORDER = ("Description", "Remarks", "ProductQuantity", "Product", "AccrualDate", "AccrualPeriods")
SALES_PRODUCT_ORDER = (
    "Description",
    "Reference",
    "Category",
    "SalesPrice",
    "VATPercentage",
    "VATIncluded",
    "VATType",
    "VATDescription",
    "GLAccountCode",
    "Remarks",
)

_CENT = Decimal("0.01")
_QUANTITY_STEP = Decimal("0.0001")
_MAX_INTEGER_PART = Decimal(10) ** 10


def _sequence(order: Sequence[str], values: Mapping[str, soap.ParamValue | XmlFragment]) -> str:
    """Elements in the schema's order; None values are left out."""
    unknown = set(values) - set(order)
    if unknown:
        raise ValueError(f"not in the schema sequence: {sorted(unknown)}")
    return "".join(soap.element(name, values[name]) for name in order if values.get(name) is not None)


def _checked(value: Decimal, step: Decimal, what: str) -> Decimal:
    if not value.is_finite():
        raise PermanentError(f"The sales invoice's {what} is not a number: {value}.")
    if value != value.quantize(step):
        raise PermanentError(f"The sales invoice's {what} {value} has more decimals than Yuki accepts.")
    if abs(value) >= _MAX_INTEGER_PART:
        raise PermanentError(f"The sales invoice's {what} {value} has more than 10 integer digits.")
    return value


def _contact_xml(contact: SalesContact) -> XmlFragment:
    if not contact.code.strip():
        raise PermanentError("A sales invoice's contact needs a contact code.")
    values: dict[str, soap.ParamValue | XmlFragment] = {
        "ContactCode": contact.code,
        "FullName": contact.full_name,
        "CountryCode": contact.country_code,
        "City": contact.city,
        "Zipcode": contact.zipcode,
        "AddressLine_1": contact.address_line_1,
        "EmailAddress": contact.email,
        "VATNumber": contact.vat_number,
        "ContactType": contact.contact_type,
    }
    return XmlFragment(_sequence(SALES_CONTACT_ORDER, values))


def _line_xml(line: SalesLine) -> str:
    if not line.description.strip():
        raise PermanentError("A sales invoice line needs a description.")
    product: dict[str, soap.ParamValue | XmlFragment] = {
        # Yuki matches products by description and creates one it does not know.
        "Description": line.description,
        "SalesPrice": _checked(line.unit_price, _CENT, "unit price"),
        "VATPercentage": _checked(line.vat_percentage, _CENT, "VAT percentage"),
        "VATIncluded": line.vat_included,
        "VATType": line.vat_type,
        "GLAccountCode": line.gl_account_code or None,
    }
    values: dict[str, soap.ParamValue | XmlFragment] = {
        "Description": line.description,
        "ProductQuantity": _checked(line.quantity, _QUANTITY_STEP, "quantity"),
        "Product": XmlFragment(_sequence(SALES_PRODUCT_ORDER, product)),
    }
    return soap.element("InvoiceLine", XmlFragment(_sequence(SALES_INVOICE_LINE_ORDER, values)))


def _invoice_xml(invoice: SalesInvoiceInput) -> str:
    if not invoice.lines:
        raise PermanentError("A sales invoice needs at least one line.")
    values: dict[str, soap.ParamValue | XmlFragment] = {
        "Reference": invoice.reference or None,
        "Subject": invoice.subject,
        "PaymentMethod": invoice.payment_method,
        "PaymentID": invoice.payment_id,
        "Process": invoice.process,
        "EmailToCustomer": invoice.email_to_customer,
        "Date": invoice.date,
        "DueDate": invoice.due_date,
        "Currency": invoice.currency,
        "Remarks": invoice.remarks,
        "Contact": _contact_xml(invoice.contact),
        "InvoiceLines": XmlFragment("".join(_line_xml(line) for line in invoice.lines)),
    }
    return soap.element("SalesInvoice", XmlFragment(_sequence(SALES_INVOICE_ORDER, values)))


def sales_invoices_document(invoices: Sequence[SalesInvoiceInput]) -> str:
    """The `<SalesInvoices>` document for ProcessSalesInvoices, without an XML declaration."""
    if not invoices:
        raise ValueError("no sales invoices to send")
    body = "".join(_invoice_xml(invoice) for invoice in invoices)
    return f'<SalesInvoices xmlns="{SALES_INVOICES_NS}" xmlns:xsi="{soap.XSI_NS}">{body}</SalesInvoices>'


# ---------------------------------------------------------------------------------------------
# Transport


def retried_here(error: ProviderError) -> bool:
    """The `retryable` hook: only a plain transient failure (a timeout, a dropped connection, a busy
    server) is tried again at once. A forgotten session is renewed by the client, the quota lasts
    until midnight, and a refusal stays a refusal."""
    return type(error) is TransientError


def _announcing(on_call: Callable[[str], None]) -> Callable[[httpx.Request], None]:
    """An httpx request hook: every HTTP attempt, retries included, is announced before it is sent
    (each one costs a call of the domain's daily quota); what it raises stops the call."""

    def announce(request: httpx.Request) -> None:
        on_call(soap.operation_of(request))

    return announce


# ---------------------------------------------------------------------------------------------
# The client


class YukiClient:
    def __init__(
        self,
        base_url: str,
        access_key: str,
        *,
        session_cache: SessionCache | None = None,
        on_call: Callable[[str], None] | None = None,
        policy: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`base_url` is the region's root (`https://api.yukiworks.be`, or a sandbox with a path);
        `on_call(operation)` runs before every HTTP request and may raise QuotaExceeded to stop."""
        if not access_key:
            raise ValueError("a Yuki access key is required")
        self.base_url = base_url.rstrip("/")
        self._access_key = access_key
        self.session_cache: SessionCache = session_cache if session_cache is not None else MemorySessionCache()
        policy = policy or RetryPolicy.from_settings()
        client = httpx.Client(
            timeout=timeout if timeout is not None else settings.YUKI_TIMEOUT_SECONDS,
            transport=transport,
            event_hooks={"request": [_announcing(on_call)] if on_call is not None else []},
        )
        self.http = ResilientClient(client, parse=soap.answer_body, retryable=retried_here, policy=policy, sleep=sleep)
        # Writes are not idempotent: one attempt, the caller checks before trying again.
        self._write_http = replace(self.http, policy=replace(policy, attempts=1))

    def __enter__(self) -> YukiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.client.close()

    # -- sessions --------------------------------------------------------------------------

    def authenticate(self) -> str:
        """A new session ID for the access key, put in the session cache."""
        body = self._post("Accounting", "Authenticate", [("accessKey", self._access_key)])
        session_id = soap.own_text(soap.operation_result(body, "Authenticate"))
        if not session_id:
            raise PermanentError("Yuki's Authenticate answer holds no session ID.")
        self.session_cache.set(session_id)
        return session_id

    def _session(self) -> tuple[str, bool]:
        cached = self.session_cache.get()
        if cached:
            return cached, False
        return self.authenticate(), True

    def _call(
        self,
        service: str,
        operation: str,
        params: Sequence[Param] = (),
        *,
        administration_id: str | None = None,
        write: bool = False,
    ) -> Element:
        """Call an operation with the session (and administration) parameters spelled as the service
        wants them, and return its `<OperationResult>` element."""
        session_name, admin_name = (
            ("sessionId", "administrationId") if service in _LOWER_ID_SERVICES else ("sessionID", "administrationID")
        )

        def with_session(session_id: str) -> list[Param]:
            head: list[Param] = [(session_name, session_id)]
            if administration_id is not None:
                head.append((admin_name, administration_id))
            return [*head, *params]

        session_id, fresh = self._session()
        try:
            body = self._post(service, operation, with_session(session_id), write=write)
        except StaleSession:
            if fresh:
                raise
            logger.info("Yuki forgot the session during %s; authenticating again", operation)
            body = self._post(service, operation, with_session(self.authenticate()), write=write)
        return soap.operation_result(body, operation)

    def _post(self, service: str, operation: str, params: Sequence[Param], *, write: bool = False) -> Element:
        http = self._write_http if write else self.http
        return http.request(
            "POST",
            f"{self.base_url}/ws/{service}.asmx",
            content=soap.envelope(operation, params),
            headers=soap.headers(operation),
        )

    # -- administrations -------------------------------------------------------------------

    def administrations(self) -> list[Administration]:
        result = self._call("Accounting", "Administrations")
        return [
            Administration(
                id=required(value("ID"), "an administration ID"),
                name=value("Name") or "",
                country=value("Country"),
                domain_id=value("DomainID"),
                active=to_bool(value("Active"), "Active") is not False,
            )
            for value in map(soap.Values, soap.find_all(result, "Administration"))
        ]

    # -- open items ------------------------------------------------------------------------

    def outstanding_debtor_items(
        self, administration_id: str, *, include_bank_transactions: bool = False, sort_order: str = DEFAULT_SORT_ORDER
    ) -> list[OpenItem]:
        return self._outstanding("OutstandingDebtorItems", administration_id, include_bank_transactions, sort_order)

    def outstanding_creditor_items(
        self, administration_id: str, *, include_bank_transactions: bool = False, sort_order: str = DEFAULT_SORT_ORDER
    ) -> list[OpenItem]:
        return self._outstanding("OutstandingCreditorItems", administration_id, include_bank_transactions, sort_order)

    def _outstanding(self, operation: str, administration_id: str, bank: bool, sort_order: str) -> list[OpenItem]:
        params: list[Param] = [("includeBankTransactions", bank), ("sortOrder", sort_order)]
        result = self._call("Accounting", operation, params, administration_id=administration_id)
        return [_open_item(el) for el in soap.find_all(result, "Item")]

    def check_outstanding_item(self, administration_id: str, reference: str) -> list[OpenItem]:
        """The open items carrying an invoice number (CheckOutstandingItemAdmin)."""
        result = self._call(
            "Accounting", "CheckOutstandingItemAdmin", [("Reference", reference)], administration_id=administration_id
        )
        return [_open_item(el) for el in soap.find_all(result, "Item")]

    # -- general ledger --------------------------------------------------------------------

    def gl_account_scheme(self, administration_id: str) -> list[GLAccount]:
        result = self._call("AccountingInfo", "GetGLAccountScheme", administration_id=administration_id)
        return [
            GLAccount(
                code=required(value("code"), "a GL account code"),
                type=value("type"),
                subtype=value("subtype"),
                enabled=to_bool(value("isEnabled", "enabled"), "isEnabled") is not False,
                description=value("descripton", "description") or "",  # Yuki's own misspelling first
            )
            for value in map(soap.Values, soap.find_all(result, "GlAccount"))
        ]

    def gl_account_balance(self, administration_id: str, on: datetime.date) -> list[GLBalance]:
        """The trial balance at a date (P&L balances build up over the fiscal year)."""
        result = self._call(
            "Accounting", "GLAccountBalance", [("transactionDate", on)], administration_id=administration_id
        )
        return [
            GLBalance(
                code=required(value("Code"), "a GL account code"),
                balance_type=value("BalanceType") or "",
                description=value("Description") or "",
                amount=_amount(value("Amount"), "a balance amount"),
            )
            for value in map(soap.Values, soap.find_all(result, "GLAccount"))
        ]

    def gl_account_transactions(
        self,
        administration_id: str,
        gl_account_code: str,
        start: datetime.date,
        end: datetime.date,
        *,
        only: Collection[str] | None = None,
    ) -> list[GLTransaction]:
        """Transactions on one GL account (an empty code: all accounts) between two dates; with
        `only`, the lines of those accounts alone (the others are not read beyond their code)."""
        params: list[Param] = [("GLAccountCode", gl_account_code), ("StartDate", start), ("EndDate", end)]
        result = self._call("Accounting", "GLAccountTransactions", params, administration_id=administration_id)
        transactions: list[GLTransaction] = []
        for value in map(soap.Values, soap.find_all(result, "GLAccountTransaction")):
            code = value("GLAccountCode") or gl_account_code
            if only is not None and code not in only:
                continue
            transactions.append(
                GLTransaction(
                    id=required(value("ID"), "a transaction ID"),
                    date=_date(value("Date"), "a transaction date"),
                    description=value("Description") or "",
                    amount=_amount(value("Amount"), "a transaction amount"),
                    contact=value("Contact") or "",
                    contact_id=value("ContactID"),
                    gl_account_code=code,
                )
            )
        return transactions

    def updated_and_deleted_transactions(
        self, administration_id: str, start: datetime.date, end: datetime.date, page_size: int = 1000
    ) -> list[ChangedTransaction]:
        """ChangeDigest's changes between two dates, page by page until a short page."""
        if page_size < 1:
            raise ValueError("page_size must be positive")
        changes: dict[str, ChangedTransaction] = {}
        start_record = 0
        while True:
            params: list[Param] = [
                ("startDate", start),
                ("endDate", end),
                ("numberOfRecords", page_size),
                ("startRecord", start_record),
            ]
            result = self._call(
                "ChangeDigest", "GetUpdatedAndDeletedTransactions", params, administration_id=administration_id
            )
            page = [_changed_transaction(el) for el in soap.find_all(result, "UpdatedTransaction")]
            new = [change for change in page if change.id not in changes]
            # Keyed by ID: an overlapping window (were startRecord 1-based) cannot duplicate.
            changes.update((change.id, change) for change in page)
            if len(page) < page_size:
                return list(changes.values())
            if not new:
                raise PermanentError("Yuki's GetUpdatedAndDeletedTransactions paging does not advance.")
            start_record += len(page)

    # -- contacts --------------------------------------------------------------------------

    def search_contacts(
        self,
        domain_id: str,
        modified_after: datetime.date | None = None,
        *,
        search_option: str = "All",
        search_value: str = "",
        active: str = "Both",
        sort_order: str = "CreatedAsc",
    ) -> list[Contact]:
        """Every contact of the domain (optionally modified after a moment), 100 per page, until an
        empty page. Sorted by creation so that paging is stable while contacts change."""
        contacts: dict[str, Contact] = {}
        page_number = 1
        while True:
            params: list[Param] = [
                ("domainID", domain_id),
                ("searchOption", search_option),
                ("searchValue", search_value),
                ("sortOrder", sort_order),
                # 0001-01-01 (.NET's DateTime.MinValue) means "no filter".
                ("modifiedAfter", modified_after if modified_after is not None else datetime.date(1, 1, 1)),
                ("active", active),
                ("pageNumber", page_number),
            ]
            result = self._call("Contact", "SearchContacts", params)
            page = [_contact(el) for el in soap.find_all(result, "Contact")]
            if not page:
                return list(contacts.values())
            if all(contact.id in contacts for contact in page):
                raise PermanentError("Yuki's SearchContacts paging does not advance.")
            contacts.update((contact.id, contact) for contact in page)
            page_number += 1

    # -- sales invoices --------------------------------------------------------------------

    def process_sales_invoices(
        self, administration_id: str, invoices: Sequence[SalesInvoiceInput]
    ) -> list[SalesInvoiceResult]:
        """Book sales invoices. Not idempotent: sent once, never retried after a timeout (look the
        invoice up with check_outstanding_item before sending it again). A business error is
        a result with succeeded=False, not an exception."""
        document = soap.xml_fragment(sales_invoices_document(invoices))
        result = self._call(
            "Sales", "ProcessSalesInvoices", [("xmlDoc", document)], administration_id=administration_id, write=True
        )
        answer = soap.embedded_document(result)
        if answer is None:
            raise PermanentError("Yuki's ProcessSalesInvoices answer holds no result document.")
        return [
            SalesInvoiceResult(
                succeeded=to_bool(value("Succeeded"), "Succeeded") is True,
                reference=value("Reference"),
                subject=value("Subject"),
                message=value("Message"),
            )
            for value in map(soap.Values, soap.find_all(answer, "Invoice"))
        ]


# ---------------------------------------------------------------------------------------------
# Readers


def _amount(value: str | None, what: str) -> Decimal:
    number = to_decimal(value, what)
    if number is None:
        raise PermanentError(f"Yuki's answer lacks {what}.")
    return number


def _date(value: str | None, what: str) -> datetime.date:
    parsed = to_date(value, what)
    if parsed is None:
        raise PermanentError(f"Yuki's answer lacks {what}.")
    return parsed


def _open_item(el: Element) -> OpenItem:
    value = soap.Values(el)
    type_el = soap.child(el, "Type")
    type_id = to_int(text(type_el, "ID") if type_el is not None else None, "an item type") or to_int(
        value("TypeID"), "an item type"
    )
    return OpenItem(
        id=required(value("ID"), "an open item ID"),
        date=_date(value("Date"), "an open item date"),
        description=value("Description") or "",
        contact=value("Contact") or "",
        contact_id=value("ContactID"),
        contact_code=value("ContactCode"),
        open_amount=_amount(value("OpenAmount"), "an open amount"),
        original_amount=_amount(value("OriginalAmount"), "an original amount"),
        type_id=type_id,
        reference=value("Reference"),
        due_date=to_date(value("DueDate"), "a due date"),
        document_id=value("DocumentID"),
        vat_number=value("VATNumber"),
        country=value("Country"),
        email=value("RecipientEmail", "EMailWork", "EmailWork", "EmailHome", "EMailHome"),
    )


def _changed_transaction(el: Element) -> ChangedTransaction:
    value = soap.Values(el)
    return ChangedTransaction(
        id=required(value("id"), "a transaction ID"),
        date=to_date(value("transactionDate"), "a transaction date"),
        description=value("description") or "",
        amount=to_decimal(value("transactionAmount", "amount"), "a transaction amount"),
        gl_account_code=value("glAccountCode"),
        contact_id=value("contactID"),
        full_name=value("fullName"),
        created=to_datetime(value("created"), "a creation time"),
        updated=to_datetime(value("updated"), "an update time"),
        deleted=to_bool(value("deleted"), "deleted") is True,
    )


def _contact(el: Element) -> Contact:
    value = soap.Values(el)
    return Contact(
        id=required(value("ID"), "a contact ID"),
        code=value("Code"),
        name=value("Name") or "",
        vat_number=value("VATNumber"),
        email=value("EMailWork", "EmailWork", "EmailHome", "EMailHome", "Email"),
        country=value("Country"),
        city=value("City"),
        postcode=value("Postcode", "Zipcode"),
        address=value("AddressLine_1", "AddressLine1"),
        is_supplier=to_bool(value("IsSupplier"), "IsSupplier"),
        created=to_datetime(value("Created"), "a creation time"),
        modified=to_datetime(value("Modified"), "a modification time"),
    )
