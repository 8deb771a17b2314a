"""`manage.py check_overdue_invoices [--date YYYY-MM-DD]`: mark past-due invoices overdue."""

from __future__ import annotations

import argparse
import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from invoices.reminders import mark_overdue_invoices


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-04-01") from exc


class Command(BaseCommand):
    help = "Mark every sent or partly paid invoice due before the given day (default: today) overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=iso_date, help="The day to act for, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today: datetime.date = options["date"] or timezone.localdate()
        marked = mark_overdue_invoices(today)
        self.stdout.write(self.style.SUCCESS(f"Marked {marked} invoice{'' if marked == 1 else 's'} overdue."))
