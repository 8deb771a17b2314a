"""Online payment: an organisation's account at a payment provider, each payment a payer starts
through it, and the provider's payouts (settlements) to the organisation's bank."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Organization
from invoices.models import Invoice, Payment

ZERO = Decimal("0.00")


class Provider(models.TextChoices):
    MOLLIE = "mollie", "Mollie"
    PAYSTACK = "paystack", "Paystack"


# How long payments.accounts.usage keeps an organisation's answer; a save forgets it at once.
USAGE_SECONDS = 3600


def usage_key(organization_id: int) -> str:
    return f"payments:usage:{organization_id}"


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class PaymentProviderAccount(models.Model):
    """The organisation's key at one provider. One enabled account per organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="payment_accounts")
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    # Mollie's API key (live_/test_) or Paystack's secret key (sk_live_/sk_test_).
    secret_key = EncryptedTextField(_("secret key"))
    # Names the organisation in its Paystack webhook URL: Paystack has one URL per account and
    # we must know whose secret verifies the signature before trusting anything in the body.
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The provider's last answer to a key check or a call that failed for good (a revoked key).
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(enabled=True), name="payment_account_one_enabled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.organization_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(usage_key(self.organization_id))
        # Another process may have cached the state this transaction replaces: forget it again.
        transaction.on_commit(lambda: cache.delete(usage_key(self.organization_id)))

    @property
    def masked_key(self) -> str:
        key = self.secret_key or ""
        prefix = key[: key.find("_", key.find("_") + 1) + 1] if key.count("_") >= 2 else key[:5]
        return f"{prefix}…{key[-4:]}" if len(key) > 8 else "…"


class OnlinePaymentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    CHARGED_BACK = "charged_back", _("Charged back")


UNFINISHED = (OnlinePaymentStatus.OPEN, OnlinePaymentStatus.PENDING)


class OnlinePayment(models.Model):
    """One attempt of a payer to pay an invoice at the provider, as the provider last told us."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="online_payments")
    # The account (and so the key) it was made with: replacing the key must not orphan it.
    account = models.ForeignKey(PaymentProviderAccount, on_delete=models.SET_NULL, null=True, related_name="+")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_id = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=OnlinePaymentStatus.choices, default=OnlinePaymentStatus.OPEN)
    provider_status = models.CharField(max_length=32, blank=True)  # the provider's own word for it
    method = models.CharField(max_length=32, blank=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The invoices.Payment this recorded: set once, in the same transaction as the payment.
    # Protected: were it deleted, the next webhook would record the same money again.
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="online_payment"
    )
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # The refunds done at the provider, by their id: each counts once however often it is reported.
    refunds = models.JSONField(default=dict, blank=True)
    # What the payer's bank took back (chargebacks not reversed), as the provider last listed them.
    amount_charged_back = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # Paid more than the invoice's balance when it arrived (two tabs, a payment recorded by hand
    # meanwhile): recorded as an overpayment, and shown to the staff to refund or keep.
    excess = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="online_payment_unique_provider_id"),
        ]
        indexes = [models.Index(fields=["invoice", "status"], name="online_payment_invoice_status")]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_id}"

    @property
    def reference(self) -> str:
        """What the recorded invoices.Payment carries as its reference."""
        return f"{self.provider} {self.provider_id}"


class Settlement(models.Model):
    """A payout of the provider to the organisation's bank, as its settlements API lists it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    settled_at = models.DateTimeField(null=True, blank=True)
    # The bank transaction that carried it, once reconciliation recognised it.
    bank_transaction = models.OneToOneField(
        "banking.BankTransaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="settlement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="settlement_unique_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference or self.provider_id}"
