"""What makes the seeded books look lived-in: later corrections and removed duplicates (for
ChangeDigest), and, on request, enough cost-allocation entries to reach a monthly volume.

Allocation entries move an amount onto a project within the same GL account (+x with the
project, -x without), so they add GL lines without changing any account's balance.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from random import Random

from sandboxes.ponto.seeding import Window
from sandboxes.yuki.formats import at_local
from sandboxes.yuki.ledger import Ledger, Line
from sandboxes.yuki.records import Entry, Project

CORRECTED_SHARE = 0.02
DUPLICATES = 2
ALLOCATION_ROLES = ("office", "software", "travel", "representation", "fees", "revenue")


def _bookings(ledger: Ledger, since: date) -> list[Entry]:
    """The first line of every live booking with a bank line since `since`, by date."""
    banks = set(ledger.chart.banks)
    firsts = [
        entry
        for entry in ledger.entries
        if entry.day >= since and entry.code in banks and entry.number == entry.booking and not entry.deleted
    ]
    return sorted(firsts, key=lambda entry: (entry.day, entry.number))


def seed_history(ledger: Ledger, rng: Random, window: Window, now: datetime) -> None:
    """Recent corrections (descriptions completed days later) and two bank imports deleted as duplicates."""
    recent = _bookings(ledger, window.end - timedelta(days=60))
    latest = now - timedelta(minutes=1)
    for first in rng.sample(recent, int(len(recent) * CORRECTED_SHARE)):
        for line in ledger.booking_of(first)[1:]:
            line.description = f"{line.description} (aangevuld)"
            line.updated = min(line.created + timedelta(days=rng.randrange(1, 6), seconds=rng.randrange(3600)), latest)
            ledger.touched(line)
    for first in rng.sample(recent[-30:], min(DUPLICATES, len(recent[-30:]))):
        lines = ledger.booking_of(first)
        copies = [Line(e.code, e.cents, e.description, e.contact, e.project, e.vat) for e in lines]
        created = min(first.created + timedelta(minutes=2), latest)
        for copy in ledger.book(first.day, copies, created, first.document):
            copy.deleted = True
            copy.updated = min(created + timedelta(hours=rng.randrange(2, 30)), latest)
            ledger.touched(copy)


def fill_months(
    ledger: Ledger, rng: Random, window: Window, per_month: int, projects: tuple[Project, ...], now: datetime
) -> None:
    """Allocation entries until every month of the window has `per_month` GL lines."""
    if not projects:
        return
    counts = ledger.months()
    codes = [ledger.chart.code(role) for role in ALLOCATION_ROLES]
    latest = now - timedelta(minutes=1)
    for year, month in window.months():
        need = per_month - counts.get((year, month), 0)
        first = max(window.start, date(year, month, 1))
        last = min(window.end, date(year, month, calendar.monthrange(year, month)[1]))
        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        created = {day: min(at_local(day, 18), latest) for day in days}
        booking = 0
        while need >= 2:
            size = 3 if need % 2 else 2
            day = days[booking * 7 % len(days)]
            code = codes[booking % len(codes)]
            project = projects[booking % len(projects)]
            cents = rng.randrange(1000, 200_000)
            text = f"Projectverdeling {month:02d}/{year} {project.code}"
            lines = [Line(code, cents, text, project=project), Line(code, -cents if size == 2 else -(cents // 2), text)]
            if size == 3:
                lines.append(Line(code, cents // 2 - cents, text, project=projects[(booking + 1) % len(projects)]))
            ledger.book(day, lines, created[day])
            need -= size
            booking += 1
