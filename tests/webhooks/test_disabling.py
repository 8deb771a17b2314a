"""An endpoint whose every attempt has failed for five days is disabled, and the organisation's
admins and owners are emailed, each in their language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent, Organization, Role
from tests.factories import make_webhook_delivery, make_webhook_endpoint, member
from tests.webhooks.conftest import Receiver
from webhooks import tasks
from webhooks.models import DeliveryStatus, WebhookEndpoint


def _failing_endpoint(organization: Organization, url: str, since: datetime.timedelta) -> WebhookEndpoint:
    endpoint = make_webhook_endpoint(
        organization, url=url, consecutive_failures=30, failing_since=timezone.now() - since
    )
    make_webhook_delivery(
        organization, endpoint=endpoint, status=DeliveryStatus.PENDING, attempt_count=0, next_attempt_at=timezone.now()
    )
    return endpoint


@pytest.mark.django_db
def test_failing_for_five_days_disables_the_endpoint_and_emails_admins_and_owners(
    organization: Organization, receiver: Receiver, django_capture_on_commit_callbacks
):
    owner = member(organization, Role.OWNER, email="owner@acme.example", language="nl")
    admin = member(organization, Role.ADMIN, email="admin@acme.example", language="fr")
    member(organization, Role.FINANCE, email="finance@acme.example")
    receiver.answer(500)
    endpoint = _failing_endpoint(organization, receiver.url, datetime.timedelta(days=5, minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.deliver_due()

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 31
    assert AuditEvent.objects.filter(action="webhook.endpoint_disabled", target_id=str(endpoint.pk)).exists()
    assert sorted(to for message in mail.outbox for to in message.to) == [admin.email, owner.email]
    assert all(endpoint.url in message.subject for message in mail.outbox)
    assert all("HTTP 500" in message.body for message in mail.outbox)


@pytest.mark.django_db
def test_failing_for_less_than_five_days_keeps_the_endpoint(organization: Organization, receiver: Receiver):
    receiver.answer(500)
    endpoint = _failing_endpoint(organization, receiver.url, datetime.timedelta(days=4, hours=23))

    tasks.deliver_due()

    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.consecutive_failures == 31
    assert not mail.outbox


@pytest.mark.django_db
def test_one_success_clears_the_failure_record(organization: Organization, receiver: Receiver):
    endpoint = _failing_endpoint(organization, receiver.url, datetime.timedelta(days=4))

    tasks.deliver_due()

    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
