"""The provider behind an account: Mollie or Paystack, behind one interface."""

from __future__ import annotations

from payments.models import PaymentProviderAccount, Provider
from payments.providers.base import PaymentProvider, PaymentState, ProviderError
from payments.providers.mollie import MollieProvider
from payments.providers.paystack import PaystackProvider

__all__ = ["PaymentProvider", "PaymentState", "ProviderError", "provider_for"]


def provider_for(account: PaymentProviderAccount) -> PaymentProvider:
    if account.provider == Provider.PAYSTACK:
        return PaystackProvider(account.secret_key)
    return MollieProvider(account.secret_key)
