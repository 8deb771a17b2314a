"""Recurring flows found in bank history (salaries, rent, subscriptions), stored for the cash forecast.

`detect` runs after every sync and replaces the organisation's RecurringFlow rows, so the forecast
reads a handful of rows instead of the bank history.
"""

from __future__ import annotations

import datetime
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.utils import timezone

from banking import sources
from banking.models import BankAccount, BankTransaction, Bill, RecurringFlow, TransactionStatus
from core.validators import normalize_iban
from dashboards.rollups import counterparty_expression
from invoices.models import Client, ClientBankAccount

WINDOW_DAYS = 456  # about 15 months of history
MIN_OCCURRENCES = 3
# A counterparty seen more often than twice a week on average is day-to-day spending, not a cadence.
MAX_OCCURRENCES = WINDOW_DAYS * 2 // 7
AMOUNT_TOLERANCE = Decimal("0.15")  # an occurrence is "similar" within 15 % of the median amount
REGULAR_SHARE = Fraction(3, 4)  # the share of gaps (and of amounts) that must fit
CENT = Decimal("0.01")
ACTIVE_INTERVALS = 1.5  # a flow not seen for longer than this many intervals has stopped


@dataclass(frozen=True)
class Cadence:
    interval_days: int  # what RecurringFlow stores (30 and 91 step by calendar months)
    shortest: int  # the median gap between occurrences must fall in [shortest, longest]
    longest: int
    tolerance: int  # a gap is regular within this many days of the median gap


CADENCES = (
    Cadence(7, 6, 8, 2),
    Cadence(14, 13, 15, 2),
    Cadence(30, 27, 32, 4),
    Cadence(91, 85, 97, 10),
)


@dataclass(frozen=True)
class Occurrence:
    counterparty: str
    currency: str
    day: datetime.date
    amount: Decimal


def detect(organization_id: int) -> int:
    """Find the organisation's recurring flows in the last ~15 months of booked transactions of its
    included accounts, replace its RecurringFlow rows with them, and return how many there are.

    Flows the forecast already counts are left out, so they are not counted twice: money in from
    clients (the counterpart IBAN is one of a client's bank accounts, or the counterparty is a
    client's name: the forecast expects their open invoices instead), money out to suppliers with
    open bills (expected on the bills' due dates), and transfers between the organisation's own
    accounts (they do not change its cash).
    """
    today = timezone.localdate()
    occurrences = _occurrences(organization_id, today)
    flows = [RecurringFlow(organization_id=organization_id, **found) for found in find_recurring(occurrences, today)]
    with transaction.atomic():
        RecurringFlow.objects.filter(organization_id=organization_id).delete()
        RecurringFlow.objects.bulk_create(flows)
    return len(flows)


def _occurrences(organization_id: int, today: datetime.date) -> list[Occurrence]:
    """Booked transactions of counterparties seen at least MIN_OCCURRENCES times with the same sign,
    without those the forecast counts elsewhere."""
    window = (
        BankTransaction.objects.filter(
            organization_id=organization_id,
            account_id__in=sources.counted_account_ids(organization_id),
            status=TransactionStatus.BOOKED,
            execution_date__gte=today - datetime.timedelta(days=WINDOW_DAYS),
            execution_date__lte=today,
        )
        .exclude(amount=0)
        .annotate(
            counterparty=counterparty_expression(),
            sign=Case(When(amount__gt=0, then=Value(1)), default=Value(-1), output_field=IntegerField()),
        )
    )
    # A window count, not `IN (… GROUP BY …)`: one pass over the window whatever the planner's
    # statistics say (right after a first sync they say the table is empty, and a join would be N²).
    frequent = (
        window.annotate(seen=Window(Count("pk"), partition_by=[F("counterparty"), F("sign")]))
        .filter(seen__gte=MIN_OCCURRENCES, seen__lte=MAX_OCCURRENCES)
        .order_by()
    )
    clients = _casefolded(Client.objects.filter(organization_id=organization_id).values_list("name", flat=True))
    client_ibans = {
        normalize_iban(iban)
        for iban in ClientBankAccount.objects.filter(organization_id=organization_id).values_list("iban", flat=True)
    }
    own_ibans = {
        normalize_iban(iban)
        for iban in BankAccount.objects.filter(organization_id=organization_id).values_list("iban", flat=True)
        if iban
    }
    suppliers = _casefolded(
        Bill.objects.filter(organization_id=organization_id)
        .open()
        .counted()
        .values_list("supplier", flat=True)
        .distinct()
    )
    result = []
    for counterparty, currency, day, amount, iban in frequent.values_list(
        "counterparty", "currency", "execution_date", "amount", "counterpart_iban"
    ):
        iban = normalize_iban(iban)
        name = counterparty.strip().casefold()
        if day is None or (iban and iban in own_ibans):
            continue
        if amount > 0 and ((iban and iban in client_ibans) or name in clients):
            continue
        if amount < 0 and name in suppliers:
            continue
        result.append(Occurrence(counterparty, currency, day, amount))
    return result


def _casefolded(names: Iterable[str]) -> set[str]:
    return {name.strip().casefold() for name in names if name.strip()}


def find_recurring(occurrences: list[Occurrence], today: datetime.date) -> list[dict[str, Any]]:
    """The regular flows among these occurrences, as RecurringFlow fields.

    Per counterparty, currency and direction (amounts of one day summed): the median gap between
    days names the cadence, most gaps must be near it, most amounts near the median amount, and the
    last occurrence must be recent enough that the flow has not stopped. Amounts stay Decimal
    throughout: a median halfway between two cents must round as money does, not as a float.
    """
    daily: dict[tuple[str, str, bool], dict[datetime.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for occurrence in occurrences:
        key = (occurrence.counterparty, occurrence.currency, occurrence.amount > 0)
        daily[key][occurrence.day] += occurrence.amount
    found = []
    for (counterparty, currency, _), amounts_by_day in sorted(daily.items()):
        days = sorted(amounts_by_day)
        flow = _regular_flow(days, [amounts_by_day[day] for day in days], today)
        if flow is not None:
            found.append({"counterparty": counterparty[:200], "currency": currency, **flow})
    return found


def _mostly(fits: Iterable[bool]) -> bool:
    """Whether at least REGULAR_SHARE of these fit."""
    results = list(fits)
    return Fraction(sum(results), len(results)) >= REGULAR_SHARE


def _regular_flow(days: list[datetime.date], amounts: list[Decimal], today: datetime.date) -> dict[str, Any] | None:
    """The cadence, typical amount and dates of one counterparty's flow, or None if it is not regular."""
    if len(days) < MIN_OCCURRENCES:
        return None
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
    median_gap = statistics.median(gaps)
    cadence = next((c for c in CADENCES if c.shortest <= median_gap <= c.longest), None)
    if cadence is None or not _mostly(abs(gap - median_gap) <= cadence.tolerance for gap in gaps):
        return None
    typical = statistics.median(amounts)  # Decimal: the mean of the middle two is exact
    if not _mostly(abs(amount - typical) <= abs(typical) * AMOUNT_TOLERANCE for amount in amounts):
        return None
    last = days[-1]
    if (today - last).days > ACTIVE_INTERVALS * cadence.interval_days:
        return None
    flow = RecurringFlow(interval_days=cadence.interval_days, last_date=last)
    return {
        "amount": typical.quantize(CENT, ROUND_HALF_UP),
        "interval_days": cadence.interval_days,
        "occurrences": len(days),
        "last_date": last,
        "next_date": flow.step(last),
    }
