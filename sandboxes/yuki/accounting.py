"""Accounting.asmx: open debtor and creditor items and the general ledger (any-XML results).

Any-XML payloads reset the namespace (`<OutstandingDebtorItems xmlns="">`); IDs, `Type ID`,
`Code` and `BalanceType` are attributes; nulls are empty elements; amounts have two decimals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sandboxes.yuki.formats import money, xml_date
from sandboxes.yuki.markup import attr, el, els, esc
from sandboxes.yuki.operations import Call, Operation, Param, choice
from sandboxes.yuki.records import Administration, Contact, OpenItem

SORT_ORDERS = ("ContactAsc", "ContactDesc", "AmountAsc", "AmountDesc", "DateAsc", "DateDesc")
SORT = choice("sortOrder", "OutstandingItemsSortOrder", *SORT_ORDERS)
LIST = (Param("administrationID"), Param("includeBankTransactions", "boolean"), SORT)
PERIOD = (Param("startDate", "datetime"), Param("endDate", "datetime"))


def _contact_fields(contact: Contact | None, *, debtor: bool) -> str:
    c = contact
    return els(
        (
            ("ContactCode", c.code if c else None),
            ("CoCNumber", c.coc_number if c else None),
            ("VATNumber", c.vat_number if c else None),
            ("AddressLine_1", c.address_line if c else None),
            ("AddressLine_2", None),
            ("Postcode", c.postcode if c else None),
            ("City", c.city if c else None),
            ("MailAddressLine_1", c.address_line if c and c.type == "Company" else None),
            ("MailAddressLine_2", None),
            ("MailPostcode", c.postcode if c and c.type == "Company" else None),
            ("MailCity", c.city if c and c.type == "Company" else None),
            ("Country", c.country if c else None),
            ("RecipientEmail", c.email if c and debtor else None),
            ("PhoneHome", c.phone if c and c.type == "Person" else None),
            ("PhoneWork", c.phone if c and c.type == "Company" else None),
            ("EmailHome", c.email if c and c.type == "Person" else None),
            ("EmailWork", c.email if c and c.type == "Company" else None),
        )
    )


class ItemWriter:
    """Renders `<Item>` elements; contact details are rendered once per contact per call."""

    def __init__(
        self, admin: Administration, *, document: bool = True, details: bool = True, payment_reference: bool = False
    ) -> None:
        self.ledger = admin.ledger
        self.document, self.details, self.payment_reference = document, details, payment_reference
        self._contacts: dict[str, str] = {}

    def __call__(self, item: OpenItem) -> str:
        contact = item.contact
        head = els(
            (
                ("Date", xml_date(item.day)),
                ("Description", item.description),
                ("Contact", contact.name if contact else None),
                ("ContactID", contact.id if contact else None),
                ("OpenAmount", money(item.open_cents)),
                ("OriginalAmount", money(item.original_cents)),
            )
        )
        type_id, type_name = item.type
        parts = [head, f'<Type ID="{type_id}">{type_name}</Type>', el("Reference", item.reference)]
        if self.payment_reference:
            parts.append(el("PaymentReference", item.payment_reference))
        parts.append(el("DueDate", xml_date(item.due)))
        if self.document:
            parts.append(el("DocumentID", item.document.id if item.document else None))
        parts.append(el("PaymentMethod", item.payment_method))
        if self.details:
            key = contact.id if contact else ""
            tail = self._contacts.get(key)
            if tail is None:
                tail = self._contacts[key] = _contact_fields(contact, debtor=item.side == "debtor")
            parts.append(tail)
        return f'<Item ID="{attr(self.ledger.item_id(item))}">{"".join(parts)}</Item>'


def _sort_key(order: str) -> Callable[[OpenItem], tuple[object, ...]]:
    if order.startswith("Contact"):
        return lambda item: (item.contact.name.lower() if item.contact else "", item.day, item.number)
    if order.startswith("Amount"):
        return lambda item: (item.open_cents, item.day, item.number)
    return lambda item: (item.day, item.number)


def _outstanding(side: str, *, dated: bool = False, payment_reference: bool = False) -> Callable[[Call], str]:
    root = "OutstandingDebtorItems" if side == "debtor" else "OutstandingCreditorItems"

    def handler(call: Call) -> str:
        admin = call.administration()
        items = admin.ledger.outstanding(side, include_bank=call.flag("includeBankTransactions"))
        if dated:
            first, last = call.moment("startDate").date(), call.moment("endDate", end=True).date()
            items = [item for item in items if first <= item.day <= last]
        order = call.string("sortOrder")
        items.sort(key=_sort_key(order), reverse=order.endswith("Desc"))
        writer = ItemWriter(admin, details=not payment_reference, payment_reference=payment_reference)
        return f'<{root} xmlns="">{"".join(map(writer, items))}</{root}>'

    return handler


def _check(call: Call, admins: list[Administration]) -> str:
    reference = call.string("Reference")
    rows: list[str] = []
    for admin in admins:
        writer = ItemWriter(admin, document=False)
        rows.extend(writer(item) for item in admin.ledger.items_by_reference(reference))
    return f'<OutstandingItems xmlns="">{"".join(rows)}</OutstandingItems>'


def check_item(call: Call) -> str:
    return _check(call, call.reachable())


def check_item_admin(call: Call) -> str:
    return _check(call, [call.administration()])


def gl_account_balance(call: Call) -> str:
    admin = call.administration()
    day: date = call.moment("transactionDate").date()
    rows = [
        f'<GLAccount Code="{attr(account.code)}" BalanceType="{account.balance_type}">'
        f"{el('Description', account.description)}{el('Amount', money(cents))}</GLAccount>"
        for account, cents in admin.ledger.balances(day)
        if cents
    ]
    return f'<GLAccountBalance xmlns="">{"".join(rows)}</GLAccountBalance>'


def gl_account_transactions(call: Call) -> str:
    admin = call.administration()
    ledger = admin.ledger
    code = call.string("GLAccountCode").strip()
    first, last = call.moment("StartDate").date(), call.moment("EndDate", end=True).date()
    known = not code or ledger.chart.account(code) is not None
    rows: list[str] = []
    for entry in ledger.lines(code or None, first, last) if known else []:
        contact, project = entry.contact, entry.project
        project_xml = (
            f'<Project Code="{attr(project.code)}">{esc(project.description)}</Project>' if project else "<Project />"
        )
        rows.append(
            f'<GLAccountTransaction ID="{ledger.entry_id(entry)}">'
            f"{el('Date', xml_date(entry.day))}{el('Description', entry.description)}{el('Amount', money(entry.cents))}"
            f"{el('Contact', contact.name if contact else None)}{el('ContactID', contact.id if contact else None)}"
            f"{project_xml}{el('GLAccountCode', entry.code)}</GLAccountTransaction>"
        )
    return f'<GLAccountTransactions xmlns="">{"".join(rows)}</GLAccountTransactions>'


OPERATIONS = (
    Operation("OutstandingDebtorItems", _outstanding("debtor"), LIST),
    Operation("OutstandingCreditorItems", _outstanding("creditor"), LIST),
    Operation("OutstandingDebtorItemsByDate", _outstanding("debtor", dated=True), LIST + PERIOD),
    Operation("OutstandingCreditorItemsByDate", _outstanding("creditor", dated=True), LIST + PERIOD),
    Operation(
        "OutstandingDebtorWithPaymentReference",
        _outstanding("debtor", dated=True, payment_reference=True),
        LIST + PERIOD,
    ),
    Operation(
        "OutstandingCreditorWithPaymentReference",
        _outstanding("creditor", dated=True, payment_reference=True),
        LIST + PERIOD,
    ),
    Operation("CheckOutstandingItem", check_item, (Param("Reference"),)),
    Operation("CheckOutstandingItemAdmin", check_item_admin, (Param("administrationID"), Param("Reference"))),
    Operation(
        "GLAccountBalance", gl_account_balance, (Param("administrationID"), Param("transactionDate", "datetime"))
    ),
    Operation(
        "GLAccountTransactions",
        gl_account_transactions,
        (
            Param("administrationID"),
            Param("GLAccountCode", required=False),
            Param("StartDate", "datetime"),
            Param("EndDate", "datetime"),
        ),
    ),
)
