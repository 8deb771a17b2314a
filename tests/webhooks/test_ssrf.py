"""The SSRF guard: in production an endpoint must be https on a public address, when it is saved
and again right before each POST."""

from __future__ import annotations

import ipaddress

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from tests.factories import make_webhook_delivery, make_webhook_endpoint
from tests.webhooks.conftest import Receiver
from webhooks import ssrf, tasks
from webhooks.models import DeliveryStatus, EventType, WebhookEndpoint


@pytest.fixture
def production(settings: SettingsWrapper) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.usefixtures("production")
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.9/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
        "https://localhost/hook",
    ],
)
def test_private_and_local_addresses_are_refused(url: str):
    with pytest.raises(ValidationError, match="webhooks only go to public servers"):
        ssrf.vet_url(url)


@pytest.mark.usefixtures("production")
def test_plain_http_is_refused():
    with pytest.raises(ValidationError, match="https://"):
        ssrf.vet_url("http://93.184.215.14/hook")


@pytest.mark.usefixtures("production")
def test_a_public_address_passes_and_is_the_one_connected_to():
    vetted = ssrf.vet_url("https://93.184.215.14:8443/hook?x=1")
    assert [str(address) for address in vetted.addresses] == ["93.184.215.14"]
    assert vetted.pinned_url(vetted.addresses[0]) == "https://93.184.215.14:8443/hook?x=1"


def test_the_pinned_url_keeps_path_and_port_and_names_the_host_in_the_header():
    address = ipaddress.ip_address("2001:db8::2")
    vetted = ssrf.VettedURL(url="https://hooks.example.com:8443/in?x=1", host="hooks.example.com", addresses=(address,))
    assert vetted.pinned_url(address) == "https://[2001:db8::2]:8443/in?x=1"
    assert vetted.host_header() == "hooks.example.com:8443"


def test_an_unknown_host_is_refused_with_its_name():
    with pytest.raises(ValidationError, match="cannot be found"):
        ssrf.vet_url("https://no-such-host.invalid/hook")


@pytest.mark.usefixtures("production")
@pytest.mark.django_db
def test_the_form_refuses_a_loopback_endpoint(admin_member_client: Client, organization: Organization):
    response = admin_member_client.post(
        reverse("webhooks:endpoint_create"),
        {"url": "https://localhost/hook", "events": [EventType.INVOICE_PAID]},
    )

    assert response.status_code == 200
    assert "webhooks only go to public servers" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_url_that_became_private_is_checked_again_before_the_post(
    organization: Organization, receiver: Receiver, settings: SettingsWrapper
):
    delivery = make_webhook_delivery(
        organization,
        endpoint=make_webhook_endpoint(organization, url=receiver.url),
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        next_attempt_at=timezone.now(),
    )
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    tasks.deliver(delivery.pk)

    assert receiver.received == []
    (attempt,) = delivery.attempts.all()
    assert "https://" in attempt.error
