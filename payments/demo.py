"""The demo organisation pays online through the Mollie sandbox (`make run`, DEBUG only)."""

from __future__ import annotations

from django.conf import settings

from core.models import Organization
from payments.models import PaymentProviderAccount, Provider


def configure_demo_account(organization: Organization) -> PaymentProviderAccount | None:
    """A Mollie account with the sandbox's key (MOLLIE_DEMO_API_KEY), unless the organisation has
    one already or no key is configured (production)."""
    if not settings.MOLLIE_DEMO_API_KEY or PaymentProviderAccount.objects.filter(organization=organization).exists():
        return None
    return PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=settings.MOLLIE_DEMO_API_KEY
    )
