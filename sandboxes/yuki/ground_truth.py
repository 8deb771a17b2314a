"""Ground truth for tests: what the API must show, straight from the books (amounts as `"12.34"` strings)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sandboxes.yuki.formats import local_day, money, xml_date
from sandboxes.yuki.records import Administration, OpenItem

if TYPE_CHECKING:
    from sandboxes.yuki.state import YukiSandbox


def _item(admin: Administration, item: OpenItem) -> dict[str, object]:
    return {
        "id": admin.ledger.item_id(item),
        "typeId": item.type[0],
        "reference": item.reference,
        "paymentReference": item.payment_reference,
        "contactId": item.contact.id if item.contact else None,
        "contact": item.contact.name if item.contact else None,
        "date": xml_date(item.day),
        "dueDate": xml_date(item.due) or None,
        "openAmount": money(item.open_cents),
        "originalAmount": money(item.original_cents),
    }


def administration_truth(
    sandbox: YukiSandbox, admin: Administration, *, account: str | None, transactions: bool
) -> dict[str, object]:
    ledger = admin.ledger
    today = local_day(sandbox.now())
    balances = {acc.code: cents for acc, cents in ledger.balances(today)}
    accounts = []
    for gl in ledger.chart.accounts:
        if account and gl.code != account:
            continue
        lines = ledger.lines(gl.code, date.min, date.max)
        summary: dict[str, object] = {
            "code": gl.code,
            "description": gl.description,
            "balanceType": gl.balance_type,
            "count": len(lines),
            "sum": money(sum(line.cents for line in lines)),
            "balance": money(balances[gl.code]),
        }
        if transactions:
            summary["transactions"] = [
                {
                    "id": ledger.entry_id(line),
                    "date": xml_date(line.day),
                    "amount": money(line.cents),
                    "description": line.description,
                }
                for line in lines
            ]
        accounts.append(summary)
    debtors = ledger.outstanding("debtor", include_bank=True)
    creditors = ledger.outstanding("creditor", include_bank=True)
    domain = sandbox.domain(admin.domain_id)
    return {
        "id": admin.id,
        "name": admin.name,
        "domainId": admin.domain_id,
        "region": domain.region,
        "counts": {
            **ledger.counts(),
            "openDebtorItems": len(debtors),
            "openCreditorItems": len(creditors),
            "contacts": len(domain.contacts),
        },
        "openDebtorItems": [_item(admin, item) for item in debtors],
        "openCreditorItems": [_item(admin, item) for item in creditors],
        "glAccounts": accounts,
        "bankAccounts": [
            {"code": bank.code, "iban": bank.iban, "pontoAccountId": bank.ponto_account_id}
            for bank in sandbox.banks
            if bank.administration_id == admin.id
        ],
    }


def ground_truth(
    sandbox: YukiSandbox, administration: str | None = None, account: str | None = None, *, transactions: bool = True
) -> dict[str, object]:
    admins = [a for a in sandbox.administrations.values() if administration in (None, a.id)]
    return {
        "now": sandbox.now().isoformat(),
        "region": sandbox.region,
        "booksStart": xml_date(sandbox.window.start),
        "booksEnd": xml_date(sandbox.window.end),
        "administrations": [
            administration_truth(sandbox, a, account=account, transactions=transactions) for a in admins
        ],
    }
