"""One booking of an invoice in Yuki at a time, held in the database: across workers, through a
Redis outage (the cache fails open) and however long Yuki takes; a dead worker's claim is taken over."""

from __future__ import annotations

import datetime
import socket
import uuid
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as database
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Organization
from integrations.models import BookingClaim, ExternalBooking
from integrations.yuki.booking import CLAIM_TAKEN_OVER_AFTER, book_in_yuki, claim_booking, release_booking
from invoices.models import Invoice
from sandboxes.yuki import YukiSandbox
from tests.factories import make_client, make_invoice, make_lines
from tests.helpers import run_concurrently
from tests.integrations.yuki.conftest import link_yuki


def booked_in_sandbox(sandbox: YukiSandbox, number: str) -> int:
    return sum(1 for entry in sandbox.sales_log if number in str(entry))


def make_booking_invoice(organization: Organization) -> Invoice:
    client = make_client(organization, name="Bakkerij Peeters BV", country="BE", vat_number="BE0987654321")
    return make_invoice(organization, client, lines=make_lines(("2", "50.00", "21"), ("1", "15.00", "6")))


@pytest.fixture
def redis_down() -> Iterator[None]:
    """The shared cache is our Redis cache with Redis unreachable: `add` fails open (answers True)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    caches = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    with override_settings(CACHES=caches):
        yield


def hold_claim(invoice: Invoice, since: datetime.datetime | None = None) -> BookingClaim:
    """A claim of another request (or of a worker that died holding it)."""
    return BookingClaim.objects.create(invoice=invoice, token=uuid.uuid4(), claimed_at=since or timezone.now())


@pytest.mark.postgres
@pytest.mark.skipif(database.vendor != "postgresql", reason="concurrent writers need PostgreSQL; CI runs this leg")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_book_once_while_the_cache_fails_open(
    owner_client: Client, organization: Organization, yuki: YukiSandbox, redis_down: None
):
    link_yuki(owner_client, yuki)
    invoice = make_booking_invoice(organization)
    # Yuki is slow to say whether the invoice is booked: both requests ask before either books.
    yuki.add_fault({"kind": "timeout", "operation": "CheckOutstandingItemAdmin", "times": 2, "seconds": 0.5})

    bookings, errors = run_concurrently(2, lambda n: book_in_yuki(Invoice.objects.get(pk=invoice.pk)))

    assert booked_in_sandbox(yuki, invoice.number) == 1
    assert ExternalBooking.objects.count() == 1
    assert AuditEvent.objects.filter(action="invoice.booked_in_yuki").count() == 1
    assert all(booking.succeeded for booking in bookings)
    refused = [error.messages for error in errors if isinstance(error, ValidationError)]
    assert len(refused) == len(errors), errors
    assert refused in ([], [[f"{invoice.number} is being booked in Yuki right now."]])
    assert not BookingClaim.objects.exists()


@pytest.mark.django_db
def test_a_held_claim_refuses_a_second_booking_even_while_the_cache_fails_open(
    owner_client: Client, organization: Organization, yuki: YukiSandbox, redis_down: None
):
    link_yuki(owner_client, yuki)
    invoice = make_booking_invoice(organization)
    held = hold_claim(invoice, since=timezone.now() - CLAIM_TAKEN_OVER_AFTER + datetime.timedelta(minutes=1))

    with pytest.raises(ValidationError, match="is being booked in Yuki right now"):
        book_in_yuki(invoice)
    page = owner_client.post(reverse("integrations:book_in_yuki", args=[invoice.pk]), follow=True)

    assert page.status_code == 200
    assert f"{invoice.number} is being booked in Yuki right now." in page.content.decode()
    assert booked_in_sandbox(yuki, invoice.number) == 0
    assert not ExternalBooking.objects.exists()
    assert BookingClaim.objects.get() == held, "the other request's claim stays"


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_over(
    owner_client: Client, organization: Organization, yuki: YukiSandbox
):
    link_yuki(owner_client, yuki)
    invoice = make_booking_invoice(organization)
    hold_claim(invoice, since=timezone.now() - CLAIM_TAKEN_OVER_AFTER - datetime.timedelta(seconds=1))

    booking = book_in_yuki(invoice)

    assert booking.succeeded
    assert booked_in_sandbox(yuki, invoice.number) == 1
    assert not BookingClaim.objects.exists()


@pytest.mark.django_db
def test_a_request_releases_only_its_own_claim(organization: Organization):
    invoice = make_booking_invoice(organization)
    slow = claim_booking(invoice)
    BookingClaim.objects.update(claimed_at=timezone.now() - CLAIM_TAKEN_OVER_AFTER - datetime.timedelta(seconds=1))
    taken_over = claim_booking(invoice)  # the slow request's claim looked dead

    release_booking(invoice, slow)  # the slow request finally finishes

    assert BookingClaim.objects.get().token == taken_over
    with pytest.raises(ValidationError, match="is being booked in Yuki right now"):
        claim_booking(invoice)
    release_booking(invoice, taken_over)
    assert not BookingClaim.objects.exists()


def test_a_claim_outlives_the_slowest_booking(settings):
    # A booking makes at most six calls (sign in, is it booked, book, is it booked after a lost answer;
    # signing in again when Yuki forgets the session), each retried up to the cap, then one more
    # timeout. A claim taken over while its booking still runs would let a second booking through.
    slowest_call = datetime.timedelta(seconds=settings.PROVIDER_RETRY_TOTAL_CAP + settings.YUKI_TIMEOUT_SECONDS)
    assert 6 * slowest_call < CLAIM_TAKEN_OVER_AFTER
