"""Booking an invoice made here in Yuki (ProcessSalesInvoices), without ever booking it twice.

Sales writes are not idempotent: an invoice booked once is never sent again (a second request
returns the first booking, unaudited), one booking of an invoice runs at a time, and before
sending, and after a timeout, Yuki is asked whether an open item with the invoice's number exists.

One at a time is a row in the database (`BookingClaim`), not a cache key: the cache fails open
while Redis is down and is per process without it, and either would let two requests book.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import record_event
from core.models import User
from integrations.banners import connection_notices
from integrations.errors import ProviderError, TransientError
from integrations.models import BookingClaim, Connection, ConnectionStatus, ExternalBooking, Provider
from integrations.yuki import linking
from integrations.yuki.client import SalesContact, SalesInvoiceInput, SalesLine, YukiClient
from integrations.yuki.vat import rate_key, unbookable_reason, vat_types
from invoices.models import Invoice, InvoiceItem, InvoiceSource

logger = logging.getLogger(__name__)


def yuki_connection_of(invoice: Invoice) -> Connection | None:
    return (
        Connection.objects.filter(organization_id=invoice.organization_id, provider=Provider.YUKI)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .first()
    )


def booked_in_yuki(invoice: Invoice, connection: Connection) -> ExternalBooking | None:
    """The successful booking of the invoice in the connection's administration, if any."""
    return (
        ExternalBooking.objects.filter(
            invoice=invoice,
            succeeded=True,
            connection__provider=Provider.YUKI,
            connection__external_id=connection.external_id,
        )
        .order_by("created_at", "id")
        .first()
    )


@dataclass(frozen=True)
class BookingState:
    """What the invoice page offers: booked already, or why it cannot be booked (empty: it can)."""

    booked: ExternalBooking | None
    problem: str


def booking_state(invoice: Invoice, items: list[InvoiceItem] | None = None) -> BookingState | None:
    """None without a Yuki link; `items` saves a query when the caller has the invoice's lines."""
    if Provider.YUKI not in connection_notices(invoice.organization_id)[1]:  # cached for every page
        return None
    connection = yuki_connection_of(invoice)
    if connection is None:
        return None
    booked = booked_in_yuki(invoice, connection)
    lines = items if items is not None else list(invoice.items.all())
    problem = "" if booked else unbookable_reason(connection, [item.vat_rate for item in lines])
    return BookingState(booked, problem)


def sales_invoice(invoice: Invoice, types: Mapping[str, int]) -> SalesInvoiceInput:
    """The invoice as Yuki's sales document; `types` maps each line's rate to its VAT type."""
    client = invoice.client
    return SalesInvoiceInput(
        reference=invoice.number,
        subject=f"Invoice {invoice.number}",
        payment_method="ElectronicTransfer",
        payment_id=invoice.formatted_reference or None,
        process=True,
        email_to_customer=False,
        date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        contact=SalesContact(
            code=client.external_code or f"SI{client.pk}",
            full_name=client.name,
            country_code=client.country,
            city=client.city or None,
            zipcode=client.postal_code or None,
            address_line_1=client.address_line1 or None,
            email=client.email or None,
            vat_number=client.vat_number or None,
            contact_type="Company",
        ),
        lines=[
            SalesLine(
                description=item.description,
                quantity=item.quantity,
                unit_price=item.unit_price,
                vat_percentage=item.vat_rate,
                vat_included=False,
                vat_type=types[rate_key(item.vat_rate)],
            )
            for item in invoice.items.all()
        ],
    )


# Far beyond the slowest booking (each call retried up to PROVIDER_RETRY_TOTAL_CAP, then a timeout, for
# signing in, asking, booking and asking again): an older claim was left by a worker that died.
CLAIM_TAKEN_OVER_AFTER = datetime.timedelta(minutes=30)


def claim_booking(invoice: Invoice) -> uuid.UUID:
    """Claim the one booking of the invoice that may run; the token releases it. A claim held by
    another request refuses (ValidationError); one older than CLAIM_TAKEN_OVER_AFTER is taken over."""
    now = timezone.now()
    token = uuid.uuid4()
    stale, _ = BookingClaim.objects.filter(invoice=invoice, claimed_at__lt=now - CLAIM_TAKEN_OVER_AFTER).delete()
    if stale:
        logger.warning("taking over the Yuki booking claim of invoice %s left by a worker that died", invoice.pk)
    try:
        with transaction.atomic():  # a savepoint: a refused claim leaves a caller's transaction usable
            BookingClaim.objects.create(invoice=invoice, token=token, claimed_at=now)
    except IntegrityError:
        raise ValidationError(
            gettext("%(number)s is being booked in Yuki right now.") % {"number": invoice.number}
        ) from None
    return token


def release_booking(invoice: Invoice, token: uuid.UUID) -> None:
    """Release the claim `token` holds; a claim taken over meanwhile is someone else's and stays."""
    BookingClaim.objects.filter(invoice=invoice, token=token).delete()


def _already_booked(client: YukiClient, administration: str, reference: str) -> bool:
    return any(item.reference == reference for item in client.check_outstanding_item(administration, reference))


def book_in_yuki(invoice: Invoice, *, actor: User | None = None, request: HttpRequest | None = None) -> ExternalBooking:
    """Book the invoice in the organisation's Yuki administration; the outcome is stored and audited.

    An invoice booked already gets its first booking back: Yuki is not asked, nothing is audited."""
    connection = yuki_connection_of(invoice)
    if connection is None:
        raise ValidationError(gettext("Link a Yuki administration first."))
    if invoice.source != InvoiceSource.MANUAL or (not invoice.is_open and invoice.status != "paid"):
        raise ValidationError(gettext("Only a sent invoice made here can be booked in Yuki."))
    token = claim_booking(invoice)
    try:
        booked = booked_in_yuki(invoice, connection)
        if booked is not None:
            return booked
        problem = unbookable_reason(connection, [item.vat_rate for item in invoice.items.all()])
        if problem:
            return _record(invoice, connection, False, problem, "", actor, request)
        return _book(invoice, connection, actor, request)
    finally:
        release_booking(invoice, token)


def _book(invoice: Invoice, connection: Connection, actor: User | None, request: HttpRequest | None) -> ExternalBooking:
    document = sales_invoice(invoice, vat_types(connection))
    client = linking.client_for(connection)
    administration = str(connection.config["administration_id"])
    try:
        if _already_booked(client, administration, invoice.number):
            succeeded, message, reference = True, "Already booked in Yuki.", invoice.number
        else:
            try:
                result = client.process_sales_invoices(administration, [document])[0]
                succeeded, message, reference = result.succeeded, result.message or "", result.reference or ""
            except TransientError:
                # The answer was lost, not necessarily the booking: ask before anyone retries.
                if not _already_booked(client, administration, invoice.number):
                    raise
                succeeded, message, reference = True, "Booked (confirmed after a lost answer).", invoice.number
    except ProviderError as exc:
        succeeded, message, reference = False, exc.message, ""
    return _record(invoice, connection, succeeded, message, reference, actor, request)


@transaction.atomic
def _record(
    invoice: Invoice,
    connection: Connection,
    succeeded: bool,
    message: str,
    reference: str,
    actor: User | None,
    request: HttpRequest | None,
) -> ExternalBooking:
    booking = ExternalBooking.objects.create(
        organization_id=invoice.organization_id,
        invoice=invoice,
        connection=connection,
        succeeded=succeeded,
        external_reference=reference[:100],
        message=message,
    )
    record_event(
        "invoice.booked_in_yuki" if succeeded else "invoice.yuki_booking_failed",
        request=request,
        actor=actor,
        organization=invoice.organization,
        target=invoice,
        after={"succeeded": succeeded, "reference": reference, "message": message[:500]},
    )
    return booking
