"""Give the demo organisation category rules that fit the sandbox's bank data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from banking.demo import seed_rules
from core.management.commands.seed_demo import DEMO_ORGANIZATION
from core.models import Organization


class Command(BaseCommand):
    help = "Create category rules for the demo organisation (refused when DEBUG is off)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo_rules only runs with DEBUG=1.")
        organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
        if organization is None:
            raise CommandError("Run seed_demo first.")
        created = seed_rules(organization)
        self.stdout.write(self.style.SUCCESS(f"Demo category rules: {created} created"))
