"""Bills received over Peppol, settled by the payments the bank shows.

A bill from the bookkeeping (Yuki) is settled by the bookkeeping's own open list. A bill received
over Peppol has no bookkeeping behind it: left alone it would stay open, and the payables aging
and the forecast would count a paid bill every day. So, after every bank sync, an outgoing booked
transaction settles an open Peppol bill when it pays exactly the bill's open amount in its
currency, on or after the bill's date, and either quotes the structured reference the supplier
asked for or goes to the IBAN the supplier gave. Each transaction settles one bill at most; when a
transaction could settle several bills, the oldest due goes first. A bill paid where no connected
account shows it is marked paid by the user (`mark_paid`).
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from banking.models import BankTransaction, Bill, TransactionStatus
from banking.reconciliation import references_in
from core.audit import record_event
from core.models import User
from core.validators import normalize_iban

logger = logging.getLogger(__name__)


def settle_paid_bills(organization_id: int) -> int:
    """Settle the organisation's open Peppol bills that the bank shows paid; returns how many."""
    bills = list(
        Bill.objects.filter(
            organization_id=organization_id,
            connection__isnull=True,
            superseded_by__isnull=True,
            settled_on__isnull=True,
            paid_by__isnull=True,
            open_amount__gt=0,
        )
        .select_related("received_document", "organization")
        .order_by("due_date", "id")
    )
    if not bills:
        return 0
    used = set(
        Bill.objects.filter(organization_id=organization_id, paid_by__isnull=False).values_list("paid_by", flat=True)
    )
    earliest = min((bill.date for bill in bills if bill.date), default=None)
    payments = BankTransaction.objects.filter(
        organization_id=organization_id,
        status=TransactionStatus.BOOKED,
        amount__in={-bill.open_amount for bill in bills},
    ).exclude(pk__in=used)
    if earliest is not None:
        payments = payments.filter(Q(execution_date__gte=earliest) | Q(execution_date__isnull=True))
    candidates = list(
        payments.only("pk", "amount", "currency", "execution_date", "counterpart_iban", "remittance_information")
    )
    settled = 0
    for bill in bills:
        payment = _payment_of(bill, candidates)
        if payment is None:
            continue
        candidates.remove(payment)
        _settle(bill, payment)
        settled += 1
    return settled


def _payment_of(bill: Bill, candidates: list[BankTransaction]) -> BankTransaction | None:
    document = getattr(bill, "received_document", None)
    if document is None:
        return None
    reference = "".join(character for character in document.payment_reference if character.isdigit())
    iban = normalize_iban(document.iban) if document.iban else ""
    for payment in candidates:
        if payment.amount != -bill.open_amount or payment.currency != bill.currency:
            continue
        if bill.date and payment.execution_date and payment.execution_date < bill.date:
            continue
        quotes_reference = bool(reference) and reference in references_in(payment.remittance_information)
        to_supplier = bool(iban) and normalize_iban(payment.counterpart_iban) == iban
        if quotes_reference or to_supplier:
            return payment
    return None


def _settle(bill: Bill, payment: BankTransaction) -> None:
    with transaction.atomic():
        updated = Bill.objects.filter(pk=bill.pk, settled_on__isnull=True, paid_by__isnull=True).update(
            settled_on=payment.execution_date or timezone.localdate(),
            open_amount=Decimal("0.00"),
            paid_by=payment,
        )
        if updated:
            record_event(
                "bill.paid_from_bank",
                organization=bill.organization,
                target=bill,
                before={"open_amount": str(bill.open_amount)},
                after={"open_amount": "0.00", "transaction": payment.pk},
            )


def mark_paid(bill: Bill, *, on: datetime.date, actor: User | None = None, request: HttpRequest | None = None) -> Bill:
    """A Peppol bill the user paid where no connected bank account shows it (cash, another bank):
    settled on the day given, audited. Bills from the bookkeeping follow the bookkeeping instead."""
    if bill.connection_id is not None:
        raise ValidationError("This bill comes from the bookkeeping: it is settled there, and the next sync follows.")
    with transaction.atomic():
        locked = Bill.objects.select_for_update().get(pk=bill.pk)
        if locked.settled_on is not None or locked.open_amount <= 0:
            raise ValidationError("This bill is already settled.")
        if bill.date and on < bill.date:
            raise ValidationError(f"A bill dated {bill.date:%d/%m/%Y} cannot have been paid before it.")
        before = {"open_amount": str(locked.open_amount), "settled_on": None}
        locked.open_amount, locked.settled_on = Decimal("0.00"), on
        locked.save(update_fields=["open_amount", "settled_on"])
        record_event(
            "bill.marked_paid",
            request=request,
            actor=actor,
            organization=locked.organization,
            target=locked,
            before=before,
            after={"open_amount": "0.00", "settled_on": on.isoformat()},
        )
    return locked
