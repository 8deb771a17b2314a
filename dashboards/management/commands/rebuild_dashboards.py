"""Recompute the dashboards' derived data from the transactions: categories, rollups, caches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from banking import categories
from core.models import Organization
from dashboards import rollups
from dashboards.state import bump


class Command(BaseCommand):
    help = "Re-apply the category rules and rebuild the daily and monthly rollups of one or every organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", type=int, help="Only this organisation (id).")

    def handle(self, *args: Any, organization: int | None = None, **options: Any) -> None:
        organizations = Organization.objects.order_by("pk")
        if organization is not None:
            organizations = organizations.filter(pk=organization)
        for org in organizations:
            categories.recategorize(org.pk)  # also rebuilds the daily rollups
            rollups.rebuild(org.pk)
            bump(org.pk)
            self.stdout.write(f"rebuilt the dashboards of {org.name} ({org.pk})")
