"""Typed results (AccountingInfo, ChangeDigest): lower-camel elements in the Yuki namespace.

Unlike the any-XML results these inherit `xmlns="http://www.theyukicompany.com/"`, write dates as
`2020-08-06T00:00:00` and timestamps as `2023-06-06T16:39:38.147`, and keep Yuki's misspelled
`descripton` in the GL account scheme.
"""

from __future__ import annotations

from datetime import datetime

from sandboxes.yuki.formats import AMSTERDAM, dotnet_timestamp, flag, midnight, money
from sandboxes.yuki.markup import els
from sandboxes.yuki.operations import Call, Operation, Param
from sandboxes.yuki.records import Administration, Entry
from sandboxes.yuki.soap import server_fault

_FLOOR, _CEILING = datetime(1900, 1, 1), datetime(9999, 12, 30)


def gl_account_scheme(call: Call) -> str:
    rows = []
    for account in call.administration().ledger.chart.accounts:
        fields = els(
            (
                ("code", account.code),
                ("type", str(account.type)),
                ("subtype", str(account.subtype)),
                ("isEnabled", flag(account.enabled)),
                ("descripton", account.description),  # sic: Yuki's spelling
            )
        )
        rows.append(f"<GlAccount>{fields}</GlAccount>")
    return "".join(rows)


def _transaction_info(admin: Administration, entry: Entry) -> str:
    contact, project, document = entry.contact, entry.project, entry.document
    amount = money(entry.cents)
    fields = els(
        (
            ("id", admin.ledger.entry_id(entry)),
            ("hID", str(entry.number + 1)),
            ("transactionDate", midnight(entry.day)),
            ("description", entry.description),
            ("transactionAmount", amount),
            ("transactionAmountForeignCurrency", amount),
            ("currencyRate", "1.000000"),
            ("currency", "EUR"),
            ("taxCodeDescription", entry.vat.description if entry.vat else None),
            ("fullName", contact.name if contact else None),
            ("CoCNumber", contact.coc_number if contact else None),
            ("VATNumber", contact.vat_number if contact else None),
            ("contactHID", str(contact.hid) if contact else None),
            ("contactCode", contact.code if contact else None),
            ("contactCountry", contact.country if contact else None),
            ("contactZipcode", contact.postcode if contact else None),
            ("contactID", contact.id if contact else None),
            ("project", project.description if project else None),
            ("projectCode", project.code if project else None),
            ("glAccountCode", entry.code),
            ("documentID", document.id if document else None),
            ("documentReference", document.reference if document else None),
            ("documentType", document.type if document else None),
            ("documentFolder", document.folder if document else None),
            ("documentFolderTab", document.tab if document else None),
            ("periodId", f"{entry.day:%Y%m}"),
            ("company", admin.name),
            ("mutationUser", "yuki"),
        )
    )
    return f"<TransactionInfo>{fields}</TransactionInfo>"


def transaction_details(call: Call) -> str:
    admin = call.administration()
    code = call.string("GLAccountCode").strip()
    first, last = call.moment("StartDate").date(), call.moment("EndDate", end=True).date()
    if code and admin.ledger.chart.account(code) is None:
        return ""
    return "".join(_transaction_info(admin, entry) for entry in admin.ledger.lines(code or None, first, last))


def _aware(moment: datetime) -> datetime:
    return min(max(moment, _FLOOR), _CEILING).replace(tzinfo=AMSTERDAM)


def updated_and_deleted(call: Call) -> str:
    """Lines created, changed or deleted between the dates (by their last change), a window of records.

    `startRecord` is a zero-based offset [U]: the first page is `startRecord=0`.
    """
    admin = call.administration()
    count, start = call.integer("numberOfRecords"), call.integer("startRecord")
    if count < 0 or start < 0:
        raise server_fault("numberOfRecords and startRecord cannot be negative")
    since = _aware(call.moment("startDate"))
    until = _aware(call.moment("endDate", end=True))
    changes = admin.ledger.changes(since, until)[start : start + count]
    rows = []
    for entry in changes:
        contact, document = entry.contact, entry.document
        amount = money(entry.cents)
        fields = els(
            (
                ("id", admin.ledger.entry_id(entry)),
                ("transactionDate", midnight(entry.day)),
                ("description", entry.description),
                ("transactionAmount", amount),
                ("transactionAmountForeignCurrency", amount),
                ("currencyRate", "1.000000"),
                ("currency", "EUR"),
                ("contactID", contact.id if contact else None),
                ("fullName", contact.name if contact else None),
                ("glAccountCode", entry.code),
                ("documentID", document.id if document else None),
                ("created", dotnet_timestamp(entry.created)),
                ("updated", dotnet_timestamp(entry.updated)),
                ("deleted", flag(entry.deleted)),
            )
        )
        rows.append(f"<UpdatedTransaction>{fields}</UpdatedTransaction>")
    return "".join(rows)


ACCOUNTING_INFO = (
    Operation("GetGLAccountScheme", gl_account_scheme, (Param("administrationID"),)),
    Operation(
        "GetTransactionDetails",
        transaction_details,
        (
            Param("administrationID"),
            Param("GLAccountCode", required=False),
            Param("StartDate", "datetime"),
            Param("EndDate", "datetime"),
            Param("financialMode", "int"),
        ),
    ),
)
CHANGE_DIGEST = (
    Operation(
        "GetUpdatedAndDeletedTransactions",
        updated_and_deleted,
        (
            Param("administrationID"),
            Param("startDate", "datetime"),
            Param("endDate", "datetime"),
            Param("numberOfRecords", "int"),
            Param("startRecord", "int"),
        ),
    ),
)
