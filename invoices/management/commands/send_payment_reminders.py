"""`manage.py send_payment_reminders [--date YYYY-MM-DD]`: email the payment reminders due that day."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from invoices.management.commands.check_overdue_invoices import iso_date
from invoices.reminders import send_payment_reminders


class Command(BaseCommand):
    help = "Email each open invoice's payment reminder that is due on the given day (default: today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=iso_date, help="The day to act for, YYYY-MM-DD (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today: datetime.date = options["date"] or timezone.localdate()
        sent = send_payment_reminders(today)
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} reminder{'' if sent == 1 else 's'}."))
