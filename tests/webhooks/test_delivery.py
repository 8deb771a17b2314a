"""Delivering to a real receiver on 127.0.0.1: signed as Standard Webhooks, retried after a
failure until it succeeds, redirects never followed, every attempt logged."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from django_q.models import Schedule
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.models import Organization
from tests.factories import make_webhook_delivery, make_webhook_endpoint
from tests.webhooks.conftest import Receiver
from webhooks import delivery, tasks
from webhooks.models import DeliveryStatus, WebhookDelivery


def _pending(organization: Organization, url: str) -> WebhookDelivery:
    return make_webhook_delivery(
        organization,
        endpoint=make_webhook_endpoint(organization, url=url),
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        last_response_code=None,
        next_attempt_at=timezone.now(),
    )


def _make_due(row: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


@pytest.mark.django_db
def test_delivery_verifies_with_the_standard_webhooks_verifier(organization: Organization, receiver: Receiver):
    row = _pending(organization, receiver.url)

    assert tasks.deliver(row.pk) == DeliveryStatus.SUCCEEDED

    (request,) = receiver.received
    payload = Webhook(row.endpoint.secret).verify(request.body, request.headers)
    assert payload == row.payload
    assert request.headers["webhook-id"] == row.message_id
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("SmartInvoice-Webhooks/")
    with pytest.raises(WebhookVerificationError):
        Webhook(make_webhook_endpoint(organization).secret).verify(request.body, request.headers)


@pytest.mark.django_db
def test_a_500_is_retried_with_the_same_message_id_and_retries_stop_after_success(
    organization: Organization, receiver: Receiver
):
    receiver.answer(500)
    row = _pending(organization, receiver.url)

    assert tasks.deliver(row.pk) == DeliveryStatus.FAILED
    row.refresh_from_db()
    assert row.last_response_code == 500
    retry_at = row.next_attempt_at
    assert retry_at is not None
    assert timezone.now() < retry_at < timezone.now() + datetime.timedelta(seconds=10)
    assert tasks.deliver_due() == 0  # its retry is not due yet

    _make_due(row)
    assert tasks.deliver_due() == 1
    settled = WebhookDelivery.objects.get(pk=row.pk)
    assert settled.status == DeliveryStatus.SUCCEEDED
    assert settled.next_attempt_at is None
    _make_due(row)  # even with a retry time, a delivered message is not sent again
    assert tasks.deliver_due() == 0
    assert tasks.deliver(row.pk) == "not due"

    assert settled.attempt_count == 2
    assert [a.response_code for a in row.attempts.all()] == [500, 200]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len(receiver.received) == 2
    row.endpoint.refresh_from_db()
    assert row.endpoint.consecutive_failures == 0
    assert row.endpoint.last_success_at is not None


@pytest.mark.django_db
def test_the_post_goes_to_the_vetted_address_under_the_endpoints_host_name(
    organization: Organization, receiver: Receiver
):
    row = _pending(organization, receiver.url.replace("127.0.0.1", "localhost"))

    assert tasks.deliver(row.pk) == DeliveryStatus.SUCCEEDED

    (request,) = receiver.received
    assert request.headers["host"] == receiver.url.split("/")[2].replace("127.0.0.1", "localhost")


@pytest.mark.django_db
def test_a_redirect_is_a_failure_and_is_not_followed(organization: Organization, receiver: Receiver):
    receiver.answer(302, Location=receiver.url + "/elsewhere")
    row = _pending(organization, receiver.url)

    assert tasks.deliver(row.pk) == DeliveryStatus.FAILED

    assert [r.path for r in receiver.received] == ["/hooks"]
    row.refresh_from_db()
    assert row.last_response_code == 302


@pytest.mark.django_db
def test_a_receiver_that_is_down_is_logged_with_the_error(organization: Organization, receiver: Receiver):
    row = _pending(organization, "http://127.0.0.1:9/hooks")  # the discard port: nobody listens

    tasks.deliver(row.pk)

    (attempt,) = row.attempts.all()
    assert not attempt.succeeded
    assert attempt.response_code is None
    assert attempt.error


@pytest.mark.django_db
def test_the_delivery_gives_up_after_its_last_retry(organization: Organization, receiver: Receiver):
    for _ in range(delivery.MAX_ATTEMPTS):
        receiver.answer(503)
    row = _pending(organization, receiver.url)

    for _ in range(delivery.MAX_ATTEMPTS):
        _make_due(row)
        tasks.deliver_due()

    row.refresh_from_db()
    assert row.status == DeliveryStatus.GAVE_UP
    assert row.attempt_count == delivery.MAX_ATTEMPTS
    assert row.next_attempt_at is None
    assert tasks.deliver_due() == 0


def test_the_retry_schedule_spans_about_a_day():
    total = sum(delivery.RETRY_DELAYS, datetime.timedelta())
    assert datetime.timedelta(hours=20) < total < datetime.timedelta(hours=30)
    assert delivery.retry_delay(delivery.MAX_ATTEMPTS) is None
    first = delivery.retry_delay(1)
    assert first is not None and datetime.timedelta(seconds=4) < first < datetime.timedelta(seconds=6)


@pytest.mark.django_db
def test_a_disabled_endpoint_gets_nothing_and_its_delivery_gives_up(organization: Organization, receiver: Receiver):
    row = _pending(organization, receiver.url)
    row.endpoint.is_active = False
    row.endpoint.save()

    assert tasks.deliver(row.pk) == DeliveryStatus.GAVE_UP
    assert receiver.received == []


def test_the_body_is_compact_json_of_the_payload():
    row = WebhookDelivery(payload={"type": "invoice.paid", "data": {"total": "121.00"}})
    assert json.loads(delivery.body_of(row)) == row.payload


@pytest.mark.django_db
def test_the_log_keeps_a_month_of_settled_deliveries_and_every_one_still_retrying(organization: Organization):
    old = timezone.now() - tasks.LOG_RETENTION - datetime.timedelta(days=1)
    expired = make_webhook_delivery(organization)
    still_retrying = make_webhook_delivery(organization, status=DeliveryStatus.FAILED)
    recent = make_webhook_delivery(organization)
    expired.attempts.create(succeeded=True, response_code=200, duration_ms=80)
    WebhookDelivery.objects.filter(pk__in=[expired.pk, still_retrying.pk]).update(created_at=old)

    assert tasks.prune_delivery_log() == 1

    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {still_retrying.pk, recent.pk}


@pytest.mark.django_db
def test_the_retries_and_the_pruning_are_scheduled():
    scheduled = dict(Schedule.objects.filter(name__startswith="webhooks.").values_list("name", "func"))
    assert scheduled == {
        "webhooks.deliver_due": "webhooks.tasks.deliver_due",
        "webhooks.prune_delivery_log": "webhooks.tasks.prune_delivery_log",
    }
