"""Fill the demo organisation with clients, invoices, payments and a delivery note (DEBUG only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.management.commands.seed_demo import DEMO_ORGANIZATION
from core.models import Organization
from invoices.demo import seed_billing


class Command(BaseCommand):
    help = "Create demo billing data in the demo organisation (run seed_demo first)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo_billing only runs with DEBUG=1.")
        organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
        if organization is None:
            raise CommandError("No demo organisation: run `manage.py seed_demo` first.")
        created = seed_billing(organization)
        self.stdout.write(f"Demo billing: {created} invoices created." if created else "Demo billing already present.")
