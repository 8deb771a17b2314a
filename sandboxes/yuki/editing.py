"""Changing the books from the control API: GL bookings added, corrected or deleted; open items settled or altered.

Changes stamp `updated` with the sandbox clock, so they show in ChangeDigest; a deletion removes
the whole booking (every line of it comes back with `deleted=true`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sandboxes.kit.exact_json import to_amount
from sandboxes.yuki.books import Books
from sandboxes.yuki.formats import local_day, to_cents
from sandboxes.yuki.ledger import Line
from sandboxes.yuki.records import Administration, Domain, Entry, OpenItem


def _cents(value: object, name: str = "amount") -> int:
    try:
        return to_cents(to_amount(value))
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from error


def _day(value: object, default: date) -> date:
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError("dates are ISO strings like 2026-03-10")
    return date.fromisoformat(value)


def _text(spec: Mapping[str, object], name: str, default: str) -> str:
    value = spec.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _code(admin: Administration, value: object) -> str:
    if not isinstance(value, str) or admin.ledger.chart.account(value) is None:
        raise ValueError(f"unknown GL account code: {value!r}")
    return value


def add_booking(admin: Administration, domain: Domain, spec: Mapping[str, object], now: datetime) -> list[Entry]:
    """`{"glAccountCode", "amount", "date"?, "description"?, "contactId"?, "counterAccount"?}`.

    The counter line goes to `counterAccount` (the suspense account by default) so the books stay
    balanced; `"counterAccount": null` books the single line alone.
    """
    ledger = admin.ledger
    code = _code(admin, spec.get("glAccountCode"))
    cents = _cents(spec.get("amount"))
    day = _day(spec.get("date"), local_day(now))
    text = _text(spec, "description", "Boeking sandbox")
    contact_id = spec.get("contactId")
    contact = domain.contact_by_id(contact_id) if isinstance(contact_id, str) else None
    if contact_id is not None and contact is None:
        raise ValueError(f"unknown contact: {contact_id!r}")
    lines = [Line(code, cents, text, contact)]
    counter = spec.get("counterAccount", ledger.chart.code("suspense"))
    if counter is not None:
        lines.append(Line(_code(admin, counter), -cents, text, contact))
    return ledger.book(day, lines, now)


def update_entry(admin: Administration, entry: Entry, changes: Mapping[str, object], now: datetime) -> list[Entry]:
    """Correct a line: `amount` (a two-line booking's other line follows), `date` (the whole booking),
    `description`, `glAccountCode`."""
    ledger = admin.ledger
    if entry.deleted:
        raise ValueError("that transaction was deleted")
    booking = ledger.booking_of(entry)
    changed = {entry.number: entry}
    if "amount" in changes:
        cents = _cents(changes["amount"])
        if len(booking) == 2:
            other = next(line for line in booking if line is not entry)
            other.cents = -cents
            changed[other.number] = other
        entry.cents = cents
    if "date" in changes:
        day = _day(changes["date"], entry.day)
        for line in booking:
            line.day = day
            changed[line.number] = line
    if "description" in changes:
        entry.description = _text(changes, "description", entry.description)
    old_code = entry.code
    if "glAccountCode" in changes:
        entry.code = _code(admin, changes["glAccountCode"])
    for line in changed.values():
        line.updated = now
        ledger.touched(line, old_code if line is entry else None)
    return sorted(changed.values(), key=lambda line: line.number)


def delete_booking(admin: Administration, entry: Entry, now: datetime) -> list[Entry]:
    if entry.deleted:
        raise ValueError("that transaction was already deleted")
    booking = admin.ledger.booking_of(entry)
    for line in booking:
        line.deleted = True
        line.updated = now
        admin.ledger.touched(line)
    return booking


def settle_item(admin: Administration, item: OpenItem, spec: Mapping[str, object], now: datetime) -> list[Entry]:
    """Pay (part of) an item: `{"amount"?: open amount, "date"?: today, "bank"?: main bank code | null}`.

    With a bank (the default) the payment is booked; `"bank": null` only lowers the open amount.
    """
    cents = item.open_cents if spec.get("amount") is None else _cents(spec.get("amount"))
    if cents == 0 or abs(cents) > abs(item.open_cents) or (cents > 0) != (item.open_cents > 0):
        raise ValueError("the amount must be between zero and the open amount, with its sign")
    day = _day(spec.get("date"), local_day(now))
    bank = spec.get("bank", admin.ledger.chart.banks[0])
    if bank is None:
        item.open_cents -= cents
        return []
    text = f"Betaling {item.reference or item.description}"
    return Books(admin.ledger).pay(item, _code(admin, bank), day, cents, text, now)


def alter_item(item: OpenItem, changes: Mapping[str, object]) -> None:
    """Change an item without booking, as a corrected invoice shows it: `openAmount`, `originalAmount`
    (the open amount moves by the same difference unless it is given too), `date`, `dueDate` (null
    clears it), `description`, `reference`."""
    if "originalAmount" in changes:
        original = _cents(changes["originalAmount"], "originalAmount")
        item.open_cents += original - item.original_cents
        item.original_cents = original
    if "openAmount" in changes:
        item.open_cents = _cents(changes["openAmount"], "openAmount")
    if "date" in changes:
        item.day = _day(changes["date"], item.day)
    if "dueDate" in changes:
        due = changes["dueDate"]
        item.due = None if due is None else _day(due, item.day)
    if "description" in changes:
        item.description = _text(changes, "description", item.description)
    if "reference" in changes:
        item.reference = _text(changes, "reference", item.reference)
