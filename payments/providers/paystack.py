"""Paystack over its REST API with httpx (Paystack publishes no official Python SDK).

Amounts travel in the currency's subunit (kobo, cents: 1/100). A webhook is trusted only after
its x-paystack-signature (HMAC-SHA512 of the raw body with the secret key) checks out, and even
then a payment's amount and status come from GET /transaction/verify/<reference>, its refunds
from GET /refund?transaction=<id>. The amount paid is `requested_amount` when the payer bore the
fees (`amount` then includes them).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal
from email.utils import parseaddr
from typing import Any

import httpx
from django.conf import settings
from django.utils.dateparse import parse_datetime

from invoices.models import Invoice
from payments.providers.base import Checkout, PaymentState, ProviderError, Refund, SettlementInfo

# "abandoned" is also what a transaction reads while the payer is still at the checkout.
_STATUSES = {"success": "paid", "failed": "failed", "abandoned": "open", "reversed": "paid"}
_SUBUNITS = Decimal(100)


def signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def signature_is_valid(body: bytes, given: str, secret: str) -> bool:
    return bool(given) and hmac.compare_digest(signature(body, secret), given.strip().lower())


def to_subunits(amount: Decimal) -> int:
    return int((amount * _SUBUNITS).to_integral_value())


def from_subunits(amount: Any) -> Decimal:
    return (Decimal(int(amount)) / _SUBUNITS).quantize(Decimal("0.01"))


def _when(value: str | None) -> datetime.datetime | None:
    return parse_datetime(value) if value else None


def _amount_paid(data: dict[str, Any]) -> Decimal:
    """What the invoice was paid: when the payer bears the fees, `amount` is the total charged,
    fees included, and `requested_amount` what was asked; never more than that."""
    amount = from_subunits(data.get("amount") or 0)
    requested = data.get("requested_amount")
    return min(amount, from_subunits(requested)) if requested else amount


class PaystackProvider:
    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key
        self.base_url = settings.PAYSTACK_API_URL

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        timeout = httpx.Timeout(settings.PAYMENT_TIMEOUT_SECONDS, connect=settings.PAYMENT_CONNECT_TIMEOUT_SECONDS)
        headers = {"Authorization": f"Bearer {self.secret_key}", "Accept": "application/json"}
        try:
            response = httpx.request(method, f"{self.base_url}{path}", headers=headers, timeout=timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(f"Paystack is unreachable: {exc.__class__.__name__}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or not isinstance(body, dict) or body.get("status") is not True:
            message = body.get("message") if isinstance(body, dict) else None
            status = response.status_code
            permanent = 400 <= status < 500 and status != 429
            raise ProviderError(str(message or f"Paystack answered HTTP {status}"), permanent=permanent, status=status)
        return body.get("data")

    def create_payment(self, invoice: Invoice, amount: Decimal, return_url: str, webhook_url: str) -> Checkout:
        # Paystack's webhook URL is set once per account in its dashboard, not per payment.
        reference = f"si-{invoice.pk}-{secrets.token_hex(6)}"
        data = self._request(
            "POST",
            "/transaction/initialize",
            json={
                # Paystack requires a payer email; the organisation's sender stands in when unknown.
                "email": invoice.client.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
                "amount": to_subunits(amount),
                "currency": invoice.currency,
                "reference": reference,
                "callback_url": return_url,
                "metadata": {"invoice": invoice.number},
            },
        )
        return Checkout(provider_id=str(data["reference"]), checkout_url=str(data["authorization_url"]))

    def fetch(self, provider_id: str) -> PaymentState:
        data = self._request("GET", f"/transaction/verify/{provider_id}")
        status = str(data.get("status") or "")
        return PaymentState(
            provider_id=str(data.get("reference") or provider_id),
            status=_STATUSES.get(status, "pending"),
            provider_status=status,
            amount=_amount_paid(data),
            currency=str(data.get("currency") or ""),
            paid_at=_when(data.get("paid_at") or data.get("paidAt")),
            method=str(data.get("channel") or ""),
            refunds=self._refunds(data.get("id")) if status in ("success", "reversed") else (),
        )

    def _refunds(self, transaction_id: object) -> tuple[Refund, ...]:
        """The transaction's refunds, as GET /refund?transaction=<id> lists them: only `processed`
        ones have given the money back."""
        listed = self._request("GET", "/refund", params={"transaction": str(transaction_id), "perPage": 100})
        return tuple(
            Refund(
                refund_id=f"paystack:{refund['id']}",
                amount=from_subunits(refund.get("amount") or 0),
                done=refund.get("status") == "processed",
            )
            for refund in listed or []
        )

    def settlements(self) -> list[SettlementInfo]:
        data = self._request("GET", "/settlement", params={"perPage": 100})
        return [
            SettlementInfo(
                provider_id=str(s["id"]),
                reference=str(s.get("id")),
                amount=from_subunits(s.get("effective_amount") or s.get("total_amount") or 0),
                currency=str(s.get("currency") or ""),
                settled_at=_when(s.get("settlement_date") or s.get("settled_at")),
            )
            for s in data or []
        ]

    def check_key(self) -> None:
        self._request("GET", "/settlement", params={"perPage": 1})
