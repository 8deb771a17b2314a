"""Ponto JSON:API resources into the provider-neutral bank tables' fields."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from integrations.errors import PermanentError

BRUSSELS = ZoneInfo("Europe/Brussels")


def parse_timestamp(value: object) -> datetime.datetime | None:
    """A timestamp, or None when it is missing or unreadable (never a crash on a bank's oddity)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def parse_date(value: object) -> datetime.date | None:
    """A booking date, read in Brussels time: banks send 2019-01-01T23:00:00.000Z for 2 January."""
    moment = parse_timestamp(value)
    return moment.astimezone(BRUSSELS).date() if moment else None


def money(value: Any) -> Decimal:
    """An amount; PermanentError when it is not a number, so no row is stored with a wrong one."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise PermanentError(f"Ponto sent an amount that is not a number: {str(value)[:40]!r}.") from exc
    if not amount.is_finite():
        raise PermanentError(f"Ponto sent an amount that is not a number: {str(value)[:40]!r}.")
    return amount


def check_transaction(resource: dict[str, Any]) -> None:
    """Raise PermanentError now for a transaction that could not be stored later."""
    money((resource.get("attributes") or {}).get("amount") or 0)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def latest_transactions_synchronization(resource: dict[str, Any]) -> str:
    """The id of the account's latest synchronization if it fetched transactions (meta)."""
    latest = _object(_object(resource.get("meta")).get("latestSynchronization"))
    subtype = _object(latest.get("attributes")).get("subtype")
    if subtype in ("accountTransactions", "accountTransactionsWithUnsettled"):
        return _text(latest.get("id"))
    return ""


def account_fields(resource: dict[str, Any]) -> dict[str, Any]:
    attributes = _object(resource.get("attributes"))
    meta = _object(resource.get("meta"))
    available = attributes.get("availableBalance")
    return {
        "iban": attributes.get("reference", "") if attributes.get("referenceType") == "IBAN" else "",
        "currency": attributes.get("currency") or "EUR",
        "name": attributes.get("description") or attributes.get("product") or "",
        "holder_name": attributes.get("holderName") or "",
        "subtype": attributes.get("subtype") or "",
        "current_balance": money(attributes.get("currentBalance") or 0),
        "current_balance_date": parse_timestamp(attributes.get("currentBalanceReferenceDate")),
        "available_balance": money(available) if available is not None else None,
        "authorization_expires_at": parse_timestamp(attributes.get("authorizationExpirationExpectedAt")),
        "synchronized_at": parse_timestamp(meta.get("synchronizedAt")),
        "raw": resource,
    }


def transaction_fields(resource: dict[str, Any]) -> dict[str, Any]:
    attributes = _object(resource.get("attributes"))
    return {
        "value_date": parse_date(attributes.get("valueDate")),
        "execution_date": parse_date(attributes.get("executionDate")),
        "amount": money(attributes.get("amount") or 0),
        "currency": attributes.get("currency") or "EUR",
        "counterpart_name": (attributes.get("counterpartName") or "")[:200],
        "counterpart_iban": (attributes.get("counterpartReference") or "")[:64],
        "remittance_information": attributes.get("remittanceInformation") or "",
        "remittance_information_type": attributes.get("remittanceInformationType") or "",
        "bank_transaction_code": attributes.get("bankTransactionCode") or "",
        "description": (attributes.get("description") or "")[:300],
        "raw": resource,
    }
