"""Create (or reset) the demo organisation and its demo login, for local development only."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import services
from core.models import Organization, User
from payments.demo import configure_demo_account

DEMO_EMAIL = "demo@smartinvoice.local"
DEMO_PASSWORD = "demo-cashflow-2026"  # noqa: S105 - published on purpose; seed_demo refuses to run in production
DEMO_ORGANIZATION = "Demo Trading BV"


class Command(BaseCommand):
    help = "Create the demo organisation and demo login (refused when DEBUG is off)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG=1: it creates a login with a published password.")
        with transaction.atomic():
            user, _ = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"first_name": "Demo"})
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
            )
            organization = Organization.objects.filter(name=DEMO_ORGANIZATION, memberships__user=user).first()
            if organization is None:
                organization = services.create_organization(DEMO_ORGANIZATION, owner=user)
            configure_demo_account(organization)  # "Pay online" through the Mollie sandbox
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {organization.name}"))
        self.stdout.write(self.style.SUCCESS(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}"))
