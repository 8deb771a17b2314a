"""Delivering a webhook: claim the delivery, POST its payload signed as Standard Webhooks to the
vetted address, log the attempt, and settle it or schedule the next retry.

Retries follow the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each
with ±10 % jitter): eight attempts over about a day, then the delivery gives up. An endpoint whose
every attempt has failed for DISABLE_AFTER is disabled and its organisation's admins are emailed.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from dataclasses import dataclass

import httpx
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from standardwebhooks.webhooks import Webhook

from webhooks import notifications, services, ssrf
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

RETRY_DELAYS = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = datetime.timedelta(days=5)
# A claimed delivery is not due again before this; longer than any one attempt can take.
CLAIM_LEASE = datetime.timedelta(minutes=5)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "SmartInvoice-Webhooks/1"
# Of the receiver's answer only the start is kept, for the log.
RESPONSE_EXCERPT_BYTES = 300


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    response_code: int | None
    duration_ms: int
    error: str


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signed_headers(secret: str, message_id: str, body: bytes, moment: datetime.datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def _excerpt(response: httpx.Response) -> str:
    received = b""
    for chunk in response.iter_bytes():
        received += chunk
        if len(received) >= RESPONSE_EXCERPT_BYTES:
            break
    return received[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace").strip()


def post(endpoint: WebhookEndpoint, message_id: str, body: bytes) -> Outcome:
    """One signed POST; any answer but a 2xx, a redirect included, is a failure."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = ssrf.vet_url(endpoint.url)
    except ValidationError as exc:
        return Outcome(False, None, elapsed(), " ".join(exc.messages))
    headers = {**signed_headers(endpoint.secret, message_id, body, timezone.now()), "host": target.host_header()}
    refused = ""
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for address in target.addresses:
            try:
                with client.stream(
                    "POST",
                    target.pinned_url(address),
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": target.host},
                ) as response:
                    if response.is_success:
                        return Outcome(True, response.status_code, elapsed(), "")
                    error = f"HTTP {response.status_code} {_excerpt(response)}".strip()
                    return Outcome(False, response.status_code, elapsed(), error)
            except httpx.ConnectError as exc:
                refused = str(exc) or type(exc).__name__  # the host's next address may answer
            except httpx.TimeoutException:
                return Outcome(False, None, elapsed(), gettext("No answer within the time limit."))
            except httpx.HTTPError as exc:
                return Outcome(False, None, elapsed(), str(exc) or type(exc).__name__)
    return Outcome(False, None, elapsed(), refused)


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, or None when it is not due (settled, or taken)."""
    lease_end = timezone.now() + CLAIM_LEASE
    if not WebhookDelivery.objects.due().filter(pk=delivery_id).update(next_attempt_at=lease_end):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def claim_due(limit: int) -> list[int]:
    """Take up to `limit` due deliveries at once; concurrent callers take different ones."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.due()
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() + CLAIM_LEASE)
    return ids


def retry_delay(attempt_count: int) -> datetime.timedelta | None:
    """How long after its `attempt_count`-th failed attempt a delivery is tried again; None once
    it has had them all."""
    if attempt_count >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempt_count - 1]
    return delay * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not a secret


def attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """Attempt a claimed delivery once and record what happened."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        outcome = Outcome(False, None, 0, gettext("The endpoint is disabled."))
    else:
        outcome = post(endpoint, delivery.message_id, body_of(delivery))
    return record(delivery, outcome, retry=endpoint.is_active)


def record(delivery: WebhookDelivery, outcome: Outcome, *, retry: bool) -> WebhookAttempt:
    now = timezone.now()
    with transaction.atomic():
        logged = WebhookAttempt.objects.create(
            delivery=delivery,
            succeeded=outcome.succeeded,
            response_code=outcome.response_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error[:500],
            attempted_at=now,
        )
        delivery.attempt_count += 1
        delivery.last_response_code = outcome.response_code
        delivery.last_duration_ms = outcome.duration_ms
        delivery.last_error = outcome.error[:500]
        delay = retry_delay(delivery.attempt_count) if retry else None
        if outcome.succeeded:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        elif delay is None:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + delay
        delivery.save()
        if retry:
            _keep_score(delivery.endpoint_id, outcome.succeeded, now)
    return logged


def _keep_score(endpoint_id: int, succeeded: bool, now: datetime.datetime) -> None:
    """Count the endpoint's failures since its last success; disable it once every attempt has
    failed for DISABLE_AFTER."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if succeeded:
        endpoint.consecutive_failures, endpoint.failing_since, endpoint.last_success_at = 0, None, now
        endpoint.save(update_fields=["consecutive_failures", "failing_since", "last_success_at"])
        return
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    endpoint.save(update_fields=["consecutive_failures", "failing_since"])
    if endpoint.is_active and now - endpoint.failing_since >= DISABLE_AFTER:
        disable_failing(endpoint)


def disable_failing(endpoint: WebhookEndpoint) -> None:
    services.disable_endpoint(
        endpoint,
        reason=gettext("Every delivery failed for %(days)s days.") % {"days": DISABLE_AFTER.days},
        actor=None,
    )
    transaction.on_commit(lambda: notifications.tell_admins_endpoint_disabled(endpoint))
