"""Transactions described in JSON (Ponto's camelCase attribute names) for the control API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sandboxes.kit.exact_json import to_amount
from sandboxes.kit.references import structured_reference
from sandboxes.ponto.encoding import parse_timestamp
from sandboxes.ponto.records import Transaction


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("expected a string or null")


def _required_text(value: object) -> str:
    if isinstance(value, str) and value:
        return value
    raise ValueError("expected a non-empty string")


def _remittance_type(value: object) -> str:
    if value in ("structured", "unstructured"):
        return str(value)
    raise ValueError("expected structured or unstructured")


def _fee(value: object) -> object:
    return None if value is None else to_amount(value)


def _timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 date or timestamp")
    return parse_timestamp(value)


# attribute → (field, parser)
EDITABLE: dict[str, tuple[str, Callable[[object], object]]] = {
    "amount": ("amount", to_amount),
    "currency": ("currency", _required_text),
    "description": ("description", _required_text),
    "remittanceInformationType": ("remittance_information_type", _remittance_type),
    "remittanceInformation": ("remittance_information", _text),
    "counterpartName": ("counterpart_name", _text),
    "counterpartReference": ("counterpart_reference", _text),
    "bankTransactionCode": ("bank_transaction_code", _required_text),
    "proprietaryBankTransactionCode": ("proprietary_bank_transaction_code", _text),
    "purposeCode": ("purpose_code", _text),
    "mandateId": ("mandate_id", _text),
    "creditorId": ("creditor_id", _text),
    "endToEndId": ("end_to_end_id", _text),
    "additionalInformation": ("additional_information", _text),
    "cardReference": ("card_reference", _text),
    "cardReferenceType": ("card_reference_type", _text),
    "fee": ("fee", _fee),
    "executionDate": ("execution_date", _timestamp),
    "valueDate": ("value_date", _timestamp),
}


def parse_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """Field values for the given attributes; ValueError names the first bad one."""
    parsed: dict[str, object] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise ValueError(f"{key} cannot be set; editable attributes: {', '.join(EDITABLE)}")
        field, parser = EDITABLE[key]
        try:
            parsed[field] = parser(value)
        except ValueError as error:
            raise ValueError(f"{key}: {error}") from error
    return parsed


def apply_changes(transaction: Transaction, fields: Mapping[str, object]) -> None:
    for field, value in fields.items():
        setattr(transaction, field, value)


def transaction_from_spec(spec: Mapping[str, object], account_id: str, booked_on: datetime) -> Transaction:
    """A transaction from attributes; `invoiceYear` + `invoiceSequence` make the structured reference
    the invoices app gives that invoice."""
    spec = dict(spec)
    year, number = spec.pop("invoiceYear", None), spec.pop("invoiceSequence", None)
    if year is not None or number is not None:
        if not isinstance(year, int) or not isinstance(number, int) or not 0 < number < 1_000_000:
            raise ValueError("invoiceYear and invoiceSequence are integers, the sequence below 1,000,000")
        spec.setdefault("remittanceInformationType", "structured")
        spec.setdefault("remittanceInformation", structured_reference(year * 1_000_000 + number))
    if "amount" not in spec:
        raise ValueError("amount is required")
    fields = parse_changes(spec)
    amount = fields["amount"]
    incoming = not str(amount).startswith("-")
    transaction = Transaction(
        account_id=account_id,
        amount=to_amount(amount),
        execution_date=booked_on,
        value_date=booked_on,
        description="Europese overschrijving",
        remittance_information_type="unstructured",
        remittance_information=None,
        counterpart_name=None,
        counterpart_reference=None,
        bank_transaction_code="PMNT-RCDT-ESCT" if incoming else "PMNT-ICDT-ESCT",
    )
    apply_changes(transaction, fields)
    if "valueDate" not in spec:
        transaction.value_date = transaction.execution_date
    return transaction
