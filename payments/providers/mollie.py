"""Mollie through its official SDK (mollie-api-python): payments, their refunds and
chargebacks, settlements.

Mollie's webhook carries only the payment's id: the state is always what GET /v2/payments/<id>
answers with the organisation's own key, so a forged call can at most make us ask.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from mollie.api.client import Client
from mollie.api.error import Error, RequestError, ResponseError, ResponseHandlingError

from invoices.models import Invoice
from payments.providers.base import Chargeback, Checkout, PaymentState, ProviderError, Refund, SettlementInfo

# Mollie's payment statuses are ours already; "authorized" (captured later) is still pending.
_STATUSES = {"open": "open", "pending": "pending", "authorized": "pending", "paid": "paid", "failed": "failed"}
_STATUSES |= {"canceled": "canceled", "expired": "expired"}
_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_US"}


def _decimal(amount: dict[str, str] | None) -> Decimal:
    return Decimal(amount["value"]) if amount else Decimal("0.00")


def _when(value: str | None) -> datetime.datetime | None:
    return parse_datetime(value) if value else None


def _fault(exc: Error) -> ProviderError:
    if isinstance(exc, ResponseError):
        status = int(exc.status or 0)
        return ProviderError(str(exc), permanent=400 <= status < 500 and status != 429, status=status)
    if isinstance(exc, RequestError | ResponseHandlingError):
        return ProviderError(f"Mollie is unreachable or answered badly: {exc}")
    return ProviderError(str(exc))


class MollieProvider:
    def __init__(self, api_key: str) -> None:
        # The SDK's type says whole seconds; requests, underneath, takes any float.
        timeout = (settings.PAYMENT_CONNECT_TIMEOUT_SECONDS, settings.PAYMENT_TIMEOUT_SECONDS)
        self.client = Client(timeout=timeout)  # type: ignore[arg-type]
        self.client.set_api_endpoint(settings.MOLLIE_API_URL)
        try:
            self.client.set_api_key(api_key)
        except Error as exc:
            # Not str(exc): the SDK quotes the key, and this text is logged and shown.
            message = gettext("Mollie takes only API keys that start with live_ or test_.")
            raise ProviderError(message, permanent=True, status=401) from exc

    def _call(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Error as exc:
            raise _fault(exc) from exc

    def create_payment(self, invoice: Invoice, amount: Decimal, return_url: str, webhook_url: str) -> Checkout:
        payment = self._call(
            self.client.payments.create,
            {
                "amount": {"currency": invoice.currency, "value": f"{amount:.2f}"},
                "description": f"{invoice.organization.name} {invoice.number}"[:255],
                "redirectUrl": return_url,
                "webhookUrl": webhook_url,
                "locale": _LOCALES.get(invoice.client.language, "en_US"),
                "metadata": {"invoice": invoice.number},
            },
        )
        return Checkout(provider_id=payment.id, checkout_url=payment.checkout_url or "")

    def fetch(self, provider_id: str) -> PaymentState:
        payment = self._call(self.client.payments.get, provider_id)
        refunds: tuple[Refund, ...] = ()
        if payment.has_refunds():
            listed = self._call(payment.refunds.list)
            refunds = tuple(
                Refund(refund_id=r["id"], amount=_decimal(r.get("amount")), done=r.get("status") == "refunded")
                for r in listed
            )
        chargebacks: tuple[Chargeback, ...] = ()
        if payment.has_chargebacks():
            # A charged-back payment stays `paid`: only its chargebacks (and amountChargedBack) say so.
            chargebacks = tuple(
                Chargeback(chargeback_id=c["id"], amount=_decimal(c.get("amount")), reversed=bool(c.get("reversedAt")))
                for c in self._call(payment.chargebacks.list)
            )
        return PaymentState(
            provider_id=payment.id,
            status=_STATUSES.get(payment.status, "pending"),
            provider_status=str(payment.status),
            amount=_decimal(payment.amount),
            currency=payment.amount["currency"],
            paid_at=_when(payment.paid_at),
            method=str(payment.method or ""),
            refunds=refunds,
            chargebacks=chargebacks,
        )

    def settlements(self) -> list[SettlementInfo]:
        listed = self._call(self.client.settlements.list, limit=250)
        return [
            SettlementInfo(
                provider_id=s["id"],
                reference=s.get("reference") or "",
                amount=_decimal(s.get("amount")),
                currency=(s.get("amount") or {}).get("currency", "EUR"),
                settled_at=_when(s.get("settledAt")),
            )
            for s in listed
        ]

    def check_key(self) -> None:
        self._call(self.client.payments.list, limit=1)
