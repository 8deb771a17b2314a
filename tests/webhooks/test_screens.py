"""The webhook settings screens: for admins and owners only, scoped to the organisation, the
secret shown once, every change audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Organization, Role
from tests.factories import make_webhook_delivery, make_webhook_endpoint, member
from tests.helpers import logged_in_client
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue")]


def _actions(endpoint: WebhookEndpoint) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="webhooks.webhookendpoint", target_id=str(endpoint.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("role", [Role.FINANCE, Role.VIEWER])
def test_members_below_admin_are_refused(organization: Organization, role: Role):
    client = logged_in_client(member(organization, role))
    endpoint = make_webhook_endpoint(organization)

    assert client.get(reverse("webhooks:endpoint_list")).status_code == 403
    assert client.get(reverse("webhooks:endpoint_create")).status_code == 403
    assert client.get(endpoint.get_absolute_url()).status_code == 403
    assert client.post(reverse("webhooks:endpoint_secret", args=[endpoint.pk])).status_code == 403


def test_another_organisations_endpoint_and_delivery_are_404(
    admin_member_client: Client, other_organization: Organization
):
    theirs = make_webhook_delivery(other_organization)

    assert admin_member_client.get(theirs.endpoint.get_absolute_url()).status_code == 404
    assert admin_member_client.post(reverse("webhooks:endpoint_secret", args=[theirs.endpoint.pk])).status_code == 404
    assert admin_member_client.get(theirs.get_absolute_url()).status_code == 404
    assert admin_member_client.post(reverse("webhooks:delivery_resend", args=[theirs.pk])).status_code == 404


def test_adding_an_endpoint_shows_its_secret_once_and_stores_it_encrypted(
    admin_member_client: Client, organization: Organization, receiver
):
    response = admin_member_client.post(
        reverse("webhooks:endpoint_create"),
        {"url": receiver.url, "description": "n8n", "events": [EventType.INVOICE_PAID, EventType.PAYMENT_RECEIVED]},
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.events == [EventType.INVOICE_PAID, EventType.PAYMENT_RECEIVED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert endpoint.secret not in stored
    page = admin_member_client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in page
    audited = AuditEvent.objects.get(action="webhook.endpoint_created")
    assert "whsec_" not in str(audited.changes)


def test_an_endpoint_needs_at_least_one_event(admin_member_client: Client, receiver):
    response = admin_member_client.post(reverse("webhooks:endpoint_create"), {"url": receiver.url})

    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_rotating_the_secret_replaces_it(admin_member_client: Client, organization: Organization):
    endpoint = make_webhook_endpoint(organization)
    old = endpoint.secret

    response = admin_member_client.post(reverse("webhooks:endpoint_rotate_secret", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert (
        admin_member_client.post(reverse("webhooks:endpoint_secret", args=[endpoint.pk]))
        .content.decode()
        .count(endpoint.secret)
    )
    assert _actions(endpoint) == ["webhook.secret_rotated", "webhook.secret_revealed"]


def test_editing_disabling_enabling_and_deleting_are_audited(
    admin_member_client: Client, organization: Organization, receiver
):
    endpoint = make_webhook_endpoint(organization, url=receiver.url)

    edited = admin_member_client.post(
        reverse("webhooks:endpoint_edit", args=[endpoint.pk]),
        {"url": receiver.url + "/v2", "description": "Zapier", "events": [EventType.SYNC_FAILED]},
    )
    admin_member_client.post(reverse("webhooks:endpoint_disable", args=[endpoint.pk]))
    disabled = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (edited.status_code, disabled.url, disabled.events) == (302, receiver.url + "/v2", ["sync.failed"])
    assert not disabled.is_active
    admin_member_client.post(reverse("webhooks:endpoint_enable", args=[endpoint.pk]))
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).is_active
    admin_member_client.post(reverse("webhooks:endpoint_delete", args=[endpoint.pk]))

    assert not WebhookEndpoint.objects.exists()
    assert _actions(endpoint) == [
        "webhook.endpoint_updated",
        "webhook.endpoint_disabled",
        "webhook.endpoint_enabled",
        "webhook.endpoint_deleted",
    ]


def test_a_test_event_and_a_resend_queue_deliveries(
    admin_member_client: Client, organization: Organization, django_capture_on_commit_callbacks
):
    endpoint = make_webhook_endpoint(organization)
    gave_up = make_webhook_delivery(organization, endpoint=endpoint, status=DeliveryStatus.GAVE_UP, attempt_count=8)

    admin_member_client.post(reverse("webhooks:endpoint_test", args=[endpoint.pk]))
    admin_member_client.post(reverse("webhooks:delivery_resend", args=[gave_up.pk]))

    test = WebhookDelivery.objects.get(event_type="webhook.test")
    assert test.payload["data"]["endpoint_id"] == endpoint.pk
    gave_up.refresh_from_db()
    assert (gave_up.status, gave_up.attempt_count) == (DeliveryStatus.PENDING, 0)
    assert gave_up.next_attempt_at is not None


def test_the_log_shows_each_delivery_and_its_attempts(admin_member_client: Client, organization: Organization):
    delivery = make_webhook_delivery(organization, last_response_code=503, status=DeliveryStatus.FAILED)
    delivery.attempts.create(succeeded=False, response_code=503, duration_ms=412, error="HTTP 503 busy")

    log = admin_member_client.get(delivery.endpoint.get_absolute_url()).content.decode()
    detail = admin_member_client.get(delivery.get_absolute_url()).content.decode()

    assert "invoice.sent" in log and "503" in log
    assert "HTTP 503 busy" in detail and "412" in detail
    assert delivery.message_id in detail
