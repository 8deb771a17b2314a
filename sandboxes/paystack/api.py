"""Paystack API handlers: initialize, verify and fetch transactions, refunds, settlements."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sandboxes.kit.routing import mounted_root
from sandboxes.kit.web import InvalidJson, Request, Response, json_response
from sandboxes.paystack.errors import PaystackError, invalid, missing
from sandboxes.paystack.mount import PREFIX
from sandboxes.paystack.records import CHANNELS, NewTransaction

if TYPE_CHECKING:
    from sandboxes.paystack.state import PaystackSandbox

REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")  # "Only -, ., = and alphanumeric characters allowed"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_PER_PAGE = 50


def ok(message: str, data: object, meta: dict[str, object] | None = None) -> Response:
    document: dict[str, object] = {"status": True, "message": message, "data": data}
    if meta is not None:
        document["meta"] = meta
    return json_response(document)


def _body(request: Request) -> dict[str, object]:
    try:
        body = request.json()
    except InvalidJson as error:
        raise invalid("Invalid JSON body") from error
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


def _subunits(value: object, name: str) -> int:
    """An amount in subunits: an integer, or a string of one (the docs type it as String)."""
    if isinstance(value, bool):
        raise invalid(f"Invalid {name.capitalize()} Sent")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int):
        return value
    raise invalid(f"Invalid {name.capitalize()} Sent")


def initialize(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    email = body.get("email")
    if not email:
        raise missing("Email Address is required")
    if not isinstance(email, str) or not EMAIL.match(email):
        raise invalid("Invalid Email Address Passed")
    if body.get("amount") is None:
        raise missing("Amount is required")
    amount = _subunits(body["amount"], "amount")
    currency = body.get("currency") or sandbox.currency
    reference = body.get("reference")
    if reference is not None and (not isinstance(reference, str) or not REFERENCE.match(reference)):
        raise invalid("Invalid transaction reference: only -, ., = and alphanumeric characters are allowed")
    callback_url = body.get("callback_url")
    if callback_url is not None and (not isinstance(callback_url, str) or not callback_url.startswith("http")):
        raise invalid("Invalid callback_url: a fully qualified URL is needed")
    channels = body.get("channels") or list(CHANNELS)
    if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
        raise invalid(f"Invalid channels: each must be one of {', '.join(CHANNELS)}")
    transaction = sandbox.initialize(
        NewTransaction(
            email=email,
            amount=amount,
            currency=str(currency),
            reference=reference,
            callback_url=callback_url,
            metadata=body.get("metadata"),
            channels=tuple(channels),
        )
    )
    checkout = f"{mounted_root(request, PREFIX)}/checkout/{transaction.access_code}"
    data = {"authorization_url": checkout, "access_code": transaction.access_code, "reference": transaction.reference}
    return ok("Authorization URL created", data)


def verify(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    return ok("Verification successful", sandbox.transaction(params["reference"]).resource())


def fetch(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    if not params["id"].isdigit():
        raise PaystackError(404, "Transaction not found")
    return ok("Transaction retrieved", sandbox.transaction_by_id(int(params["id"])).resource())


def create_refund(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    key = body.get("transaction")
    if key is None or key == "":
        raise missing("Transaction reference or id is required")
    text = str(key)
    try:
        transaction = sandbox.transaction(text)
    except PaystackError:
        if not text.isdigit():
            raise PaystackError(404, "Transaction not found") from None
        transaction = sandbox.transaction_by_id(int(text))
    amount = None if body.get("amount") is None else _subunits(body["amount"], "amount")
    currency = body.get("currency")
    if currency is not None and currency != transaction.currency:
        raise invalid("Currency does not match the transaction's currency")
    notes = [str(body.get(name) or "") for name in ("customer_note", "merchant_note")]
    refund = sandbox.refund(transaction, amount, *notes)
    data = {**refund.resource(), "transaction": transaction.resource()}
    return ok("Refund has been queued for processing", data)


def list_refunds(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    """`GET /refund`, optionally of one `transaction` (its id)."""
    transaction = request.param("transaction")
    refunds = [r for r in sandbox.refunds() if transaction is None or str(r.transaction_id) == transaction]
    offset, per_page, meta = _paging(request, len(refunds))
    return ok("Refunds retrieved", [r.resource() for r in refunds[offset : offset + per_page]], meta)


def fetch_refund(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    found = next((r for r in sandbox.refunds() if str(r.id) == params["id"]), None)
    if found is None:
        raise PaystackError(404, "Refund not found")
    return ok("Refund retrieved", found.resource())


def _paging(request: Request, total: int) -> tuple[int, int, dict[str, object]]:
    """(offset, per_page, meta) for `page` and `perPage`."""
    page_text, per_page_text = request.param("page") or "1", request.param("perPage") or str(DEFAULT_PER_PAGE)
    if not page_text.isdigit() or not per_page_text.isdigit() or int(page_text) < 1 or int(per_page_text) < 1:
        raise invalid("page and perPage must be positive integers")
    page, per_page = int(page_text), int(per_page_text)
    meta: dict[str, object] = {
        "total": total,
        "skipped": (page - 1) * per_page,
        "perPage": per_page,
        "page": page,
        "pageCount": max(1, -(-total // per_page)),
    }
    return (page - 1) * per_page, per_page, meta


def list_settlements(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    status = request.param("status")
    settlements = [s for s in sandbox.settlements() if status in (None, "success")]
    offset, per_page, meta = _paging(request, len(settlements))
    return ok("Settlements retrieved", [s.resource() for s in settlements[offset : offset + per_page]], meta)


def settlement_transactions(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    if not params["id"].isdigit():
        raise PaystackError(404, "Settlement not found")
    settlement = sandbox.settlement(int(params["id"]))
    transactions = list(reversed(settlement.transactions))
    offset, per_page, meta = _paging(request, len(transactions))
    meta["total_volume"] = settlement.total_processed
    return ok("Transactions retrieved", [t.resource() for t in transactions[offset : offset + per_page]], meta)
