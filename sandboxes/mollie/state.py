"""The Mollie sandbox's state: payments, refunds, settlements, webhooks, faults, on a movable clock.

`MollieSandbox` is what tests drive from Python and what `sandbox.wsgi_app` serves. Webhooks are
posted outside the lock, since the receiver fetches the payment from the sandbox while it answers.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random
from urllib.parse import urlencode

from sandboxes.kit.outbox import Message, WebhookClock
from sandboxes.mollie.app import MollieApp
from sandboxes.mollie.errors import not_found, unprocessable
from sandboxes.mollie.faults import FaultBook
from sandboxes.mollie.resources import (
    CANCELED,
    CURRENCIES,
    EXPIRED,
    OPEN,
    OUTCOMES,
    PAID,
    PENDING,
    QUEUED,
    REFUND_CANCELED,
    REFUNDED,
    STATUS_STAMPS,
    Chargeback,
    NewPayment,
    Payment,
    Refund,
)
from sandboxes.mollie.settlements import DEFAULT_RATES, Rate, Settlement

DEFAULT_API_KEY = "test_sandboxmollieapikey0000000000"
# Settlements are read with an organization access token, not a website profile's API key.
DEFAULT_ACCESS_TOKEN = "access_sandboxmollieaccesstoken000000"  # noqa: S105 - a sandbox token
# webhooks guide: attempts 1 min, 2, 4, 8, 16, 29 min, 1 h, 2 h and 22 h after the one before.
RETRY_SCHEDULE = (60.0, 120.0, 240.0, 480.0, 960.0, 1740.0, 3600.0, 7200.0, 79200.0)
ID_ALPHABET = string.ascii_letters + string.digits


def _details(method: str) -> dict[str, object]:
    """What a paid payment says about the payer, per method (payment method specific details)."""
    if method == "creditcard":
        return {"cardHolder": "T. TEST", "cardNumber": "6787", "cardLabel": "Mastercard", "cardCountryCode": "BE"}
    if method == "bancontact":
        return {"cardNumber": "6666", "consumerName": "T. TEST", "consumerAccount": "BE68539007547034"}
    return {"consumerName": "T. TEST", "consumerAccount": "BE68539007547034", "consumerBic": "GEBABEBB"}


class MollieSandbox(WebhookClock):
    """An offline Mollie account in test mode, seen through one API key (one website profile)."""

    def __init__(
        self,
        seed: int = 2026,
        now: Callable[[], datetime] | None = None,
        *,
        api_key: str = DEFAULT_API_KEY,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        payment_lifetime: float = 900.0,
        cancelable_methods: Iterable[str] = ("banktransfer", "directdebit"),
        refund_status: str = PENDING,
        rates: Mapping[str, Rate] = DEFAULT_RATES,
        merchant_number: str = "1234567",
        settlement_currency: str = "EUR",
        webhook_timeout: float = 15.0,
    ) -> None:
        super().__init__(now, RETRY_SCHEDULE, webhook_timeout)
        self.api_key, self.access_token = api_key, access_token
        self.payment_lifetime = payment_lifetime
        self.cancelable_methods = frozenset(cancelable_methods)
        self.refund_status = refund_status
        self.rates = dict(rates)
        self.merchant_number = merchant_number
        self.settlement_currency = settlement_currency
        self.currencies = CURRENCIES
        self.minimum = Decimal("0.01")
        self.faults = FaultBook()
        self._random = Random(seed)  # noqa: S311 - ids, not secrets
        self._payments: dict[str, Payment] = {}
        self._settlements: dict[str, Settlement] = {}
        # Where the API is served, for links in what the Python control returns; `serve()` sets it.
        self.root = ""
        self.wsgi_app = MollieApp(self)

    # --- webhooks ----------------------------------------------------------------------------------
    def tick(self) -> None:
        """What time does: open payments past their expiry expire, due webhook retries go out."""
        self.expire_due()
        super().tick()

    def redeliver(self, payment_id: str) -> None:
        """Call the payment's webhook again: a duplicate delivery."""
        with self.lock:
            payment = self._payment(payment_id)
        self._notify(payment)

    def _notify(self, payment: Payment) -> None:
        if payment.webhook_url:
            body = urlencode({"id": payment.id}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mollie HTTP sandbox"}
            self.outbox.send(Message(payment.id, payment.webhook_url, body, headers))

    # --- payments ------------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        with self.lock:
            return prefix + "".join(self._random.choice(ID_ALPHABET) for _ in range(10))

    def create_payment(self, new: NewPayment) -> Payment:
        now = self.now()
        payment = Payment.opened(new, self.new_id("tr_"), now, now + timedelta(seconds=self.payment_lifetime))
        with self.lock:
            self._payments[payment.id] = payment
        return payment

    def payment(self, payment_id: str) -> Payment:
        with self.lock:
            return self._payment(payment_id)

    def _payment(self, payment_id: str) -> Payment:
        payment = self._payments.get(payment_id)
        if payment is None:
            raise not_found("payment", payment_id)
        return payment

    def payments(self) -> list[Payment]:
        """Newest first, as the list endpoint orders them."""
        with self.lock:
            return list(reversed(self._payments.values()))

    def complete(self, payment_id: str, status: str = PAID, method: str = "bancontact") -> Payment:
        """The payer finishes the checkout: the payment becomes `status` and its webhook is called.
        A payment created with a method keeps it. ValueError when the payment is not open."""
        if status not in OUTCOMES:
            raise ValueError(f"status must be one of {', '.join(OUTCOMES)}")
        with self.lock:
            payment = self._payment(payment_id)
            if payment.status != OPEN:
                raise ValueError(f"payment {payment_id} is {payment.status}, not open")
            payment.method = payment.method or method
            self._finish(payment, status)
        self._notify(payment)
        return payment

    def _finish(self, payment: Payment, status: str) -> None:
        payment.status = status
        payment.stamps[STATUS_STAMPS[status]] = self.now()
        if status == PAID:
            payment.details = _details(payment.method or "")

    def cancel(self, payment_id: str) -> Payment:
        """DELETE /v2/payments/{id}: only while `isCancelable`; the webhook is called."""
        with self.lock:
            payment = self._payment(payment_id)
            if not payment.cancelable(self.cancelable_methods):
                raise unprocessable("The payment cannot be canceled", "id")
            self._finish(payment, CANCELED)
        self._notify(payment)
        return payment

    def expire_due(self) -> list[Payment]:
        """Open payments past `expiresAt` expire and their webhooks are called; those payments."""
        with self.lock:
            now = self.now()
            expired = [p for p in self._payments.values() if p.status == OPEN and p.expires_at <= now]
            for payment in expired:
                self._finish(payment, EXPIRED)
        for payment in expired:
            self._notify(payment)
        return expired

    # --- refunds -------------------------------------------------------------------------------------
    def refund(self, payment_id: str, currency: str, value: Decimal, description: str, metadata: object) -> Refund:
        with self.lock:
            payment = self._payment(payment_id)
            if payment.status != PAID:
                raise unprocessable(f"The payment is {payment.status}: only a paid payment can be refunded", "id")
            if currency != payment.currency:
                raise unprocessable("The refund currency must be the payment's currency", "amount.currency")
            if value <= 0 or value > payment.remaining:
                raise unprocessable(
                    f"The amount to refund is higher than the amount remaining: {payment.remaining:.2f}", "amount"
                )
            refund = Refund(
                self.new_id("re_"), payment.id, currency, value, description, metadata, self.refund_status, self.now()
            )
            payment.refunds.append(refund)
            return refund

    def cancel_refund(self, payment_id: str, refund_id: str) -> None:
        with self.lock:
            refund = self._refund(payment_id, refund_id)
            if refund.status not in (QUEUED, PENDING):
                raise unprocessable(f"The refund is {refund.status} and can no longer be canceled", "id")
            refund.status = REFUND_CANCELED

    def refund_of(self, payment_id: str, refund_id: str) -> Refund:
        with self.lock:
            return self._refund(payment_id, refund_id)

    def _refund(self, payment_id: str, refund_id: str) -> Refund:
        found = next((r for r in self._payment(payment_id).refunds if r.id == refund_id), None)
        if found is None:
            raise not_found("refund", refund_id)
        return found

    def process_refunds(self) -> list[Refund]:
        """Queued and pending refunds are refunded; each payment's webhook is called once."""
        with self.lock:
            done = [
                refund
                for payment in self._payments.values()
                for refund in payment.refunds
                if refund.status in (QUEUED, PENDING)
            ]
            for refund in done:
                refund.status = REFUNDED
            touched = list({refund.payment_id: self._payments[refund.payment_id] for refund in done}.values())
        for payment in touched:
            self._notify(payment)
        return done

    # --- chargebacks ---------------------------------------------------------------------------------
    def chargeback(self, payment_id: str, amount: Decimal | None = None) -> Chargeback:
        """The payer's bank takes back `amount` (all of what is not charged back yet by default) of
        a paid payment; the payment stays `paid` and its webhook is called. ValueError when the
        payment is not paid or the amount is not within what is left."""
        with self.lock:
            payment = self._payment(payment_id)
            left = payment.value - payment.charged_back
            value = left if amount is None else amount
            if payment.status != PAID:
                raise ValueError(f"payment {payment_id} is {payment.status}, not paid")
            if not Decimal("0.00") < value <= left:
                raise ValueError(f"the amount must be more than 0.00 and at most {left:.2f}")
            chargeback = Chargeback(self.new_id("chb_"), payment.id, payment.currency, value, self.now())
            payment.chargebacks.append(chargeback)
        self._notify(payment)
        return chargeback

    def reverse_chargeback(self, payment_id: str, chargeback_id: str) -> Chargeback:
        """The merchant won the dispute: the chargeback is reversed and the webhook called.
        ValueError when it was reversed already."""
        with self.lock:
            payment = self._payment(payment_id)
            chargeback = self._chargeback(payment_id, chargeback_id)
            if chargeback.reversed_at is not None:
                raise ValueError(f"chargeback {chargeback_id} was reversed already")
            chargeback.reversed_at = self.now()
        self._notify(payment)
        return chargeback

    def chargeback_of(self, payment_id: str, chargeback_id: str) -> Chargeback:
        with self.lock:
            return self._chargeback(payment_id, chargeback_id)

    def _chargeback(self, payment_id: str, chargeback_id: str) -> Chargeback:
        found = next((c for c in self._payment(payment_id).chargebacks if c.id == chargeback_id), None)
        if found is None:
            raise not_found("chargeback", chargeback_id)
        return found

    # --- settlements ---------------------------------------------------------------------------------
    def settle(self) -> dict[str, object]:
        """Pay out every paid, unsettled payment and refunded, unsettled refund in the settlement
        currency: the settlement as the API shows it, plus `settlement_bank_description`, the text
        its bank transfer carries. ValueError when there is nothing to settle."""
        with self.lock:
            now = self.now()
            payments = [
                p
                for p in self._payments.values()
                if p.status == PAID and p.settlement_id is None and p.currency == self.settlement_currency
            ]
            refunds = [
                r
                for p in self._payments.values()
                for r in p.refunds
                if r.status == REFUNDED and r.settlement_id is None and r.currency == self.settlement_currency
            ]
            if not payments and not refunds:
                raise ValueError("nothing to settle")
            this_month = sum(1 for s in self._settlements.values() if s.created_at.strftime("%y%m") == f"{now:%y%m}")
            reference = f"{self.merchant_number}.{now:%y%m}.{this_month + 1:02d}"
            settlement = Settlement(
                self.new_id("stl_"), reference, now, self.settlement_currency, payments, refunds, self.rates
            )
            for payment in payments:
                payment.settlement_id = settlement.id
            for refund in refunds:
                refund.settlement_id = settlement.id
            self._settlements[settlement.id] = settlement
        return {**settlement.resource(self.root), "settlement_bank_description": settlement.bank_description}

    def settlement(self, key: str) -> Settlement:
        """By id or by bank reference, as the API accepts either."""
        with self.lock:
            found = self._settlements.get(key) or next(
                (s for s in self._settlements.values() if s.reference == key), None
            )
        if found is None:
            raise not_found("settlement", key)
        return found

    def settlements(self) -> list[Settlement]:
        with self.lock:
            return list(reversed(self._settlements.values()))

    def settlement_bank_description(self, settlement_id: str) -> str:
        return self.settlement(settlement_id).bank_description
