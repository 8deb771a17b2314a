"""The payment providers' simulators on real local sockets, the service served live so their
webhooks reach it, and an organisation with an account at each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from payments.models import PaymentProviderAccount, Provider
from payments.services import paystack_webhook_url
from sandboxes import mollie, paystack
from tests import live_site

# The service served live, as the providers call it back.
live_server = live_site.live_server
site = live_site.site


@pytest.fixture
def mollie_sandbox(settings: SettingsWrapper) -> Iterator[mollie.MollieSandbox]:
    sandbox = mollie.MollieSandbox(seed=11)
    server, base_url = mollie.serve(sandbox)
    settings.MOLLIE_API_URL = f"{base_url}{mollie.PREFIX}"
    settings.PAYMENT_TIMEOUT_SECONDS = 5.0
    yield sandbox
    server.shutdown()


@pytest.fixture
def mollie_account(organization: Organization) -> PaymentProviderAccount:
    return PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=mollie.DEFAULT_API_KEY
    )


@pytest.fixture
def paystack_account(organization: Organization) -> PaymentProviderAccount:
    return PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.PAYSTACK, secret_key=paystack.DEFAULT_SECRET_KEY
    )


@pytest.fixture
def paystack_sandbox(
    settings: SettingsWrapper, site: str, paystack_account: PaymentProviderAccount
) -> Iterator[paystack.PaystackSandbox]:
    """Its webhook URL is the account's, as the owner pastes it in Paystack's dashboard."""
    sandbox = paystack.PaystackSandbox(seed=11, webhook_url=paystack_webhook_url(paystack_account))
    server, base_url = paystack.serve(sandbox)
    settings.PAYSTACK_API_URL = f"{base_url}{paystack.PREFIX}"
    settings.PAYMENT_TIMEOUT_SECONDS = 5.0
    yield sandbox
    server.shutdown()
