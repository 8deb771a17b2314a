"""Sync connections now, in this process: all that are due, or one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus, SyncTrigger
from integrations.runner import run_sync


class Command(BaseCommand):
    help = "Sync every connection that is due (or --all, or one with --connection ID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--connection", type=int, help="the id of one connection to sync")
        parser.add_argument("--all", action="store_true", help="sync every live connection, due or not")

    def handle(self, *args: Any, **options: Any) -> None:
        # A pending connection has no completed consent: nothing to sync, and nothing it may consume.
        connections = Connection.objects.exclude(status__in=[ConnectionStatus.DISCONNECTED, ConnectionStatus.PENDING])
        if options["connection"]:
            connections = connections.filter(pk=options["connection"])
            if not connections.exists():
                raise CommandError(f"No live connection with id {options['connection']}.")
        elif not options["all"]:
            connections = connections.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=timezone.now()))
        for connection in connections.order_by("pk"):
            run = run_sync(connection.pk, SyncTrigger.MANUAL)
            if run is None:
                self.stdout.write(f"{connection} (#{connection.pk}): already being synced, skipped.")
                continue
            outcome = (
                f"{run.status}: {run.rows_added} added, {run.rows_updated} updated, {run.rows_unchanged} unchanged"
            )
            if run.error_message:
                outcome += f" ({run.error_message})"
            self.stdout.write(f"{connection} (#{connection.pk}): {outcome}.")
