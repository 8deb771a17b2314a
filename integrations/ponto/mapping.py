"""Ponto JSON:API resources into the provider-neutral bank tables' fields."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def parse_timestamp(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_date(value: str | None) -> datetime.date | None:
    """A booking date, read in Brussels time: banks send 2019-01-01T23:00:00.000Z for 2 January."""
    moment = parse_timestamp(value)
    return moment.astimezone(BRUSSELS).date() if moment else None


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def account_fields(resource: dict[str, Any]) -> dict[str, Any]:
    attributes = resource.get("attributes") or {}
    meta = resource.get("meta") or {}
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
    attributes = resource.get("attributes") or {}
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
