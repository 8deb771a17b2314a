"""What follows every sync run, in order: refresh the planner's statistics after a large write →
categorise → reconcile → settle the Peppol bills the bank shows paid → detect recurring flows →
bump the dashboards' data version.

The runner calls `after_sync` once the run is recorded, whatever its outcome. The synced rows are
committed by then, and no step undoes them. Every step runs even when an earlier one failed (none
needs an earlier one's result: reconciliation and recurring detection read amounts, references and
counterparties, not categories); a failure is logged, reported to Sentry and recorded on the run.
Each step catches up on everything pending, so a failed step, or a worker that died between the
sync and this pipeline, is repaired by the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sentry_sdk
from django.db import connection as database

from banking import bill_payments, categories, reconciliation, recurring
from banking.models import BankTransaction
from dashboards.state import bump
from integrations.models import Connection, SyncRun

logger = logging.getLogger(__name__)


# A run that wrote at least this many rows has PostgreSQL re-read the table's statistics.
ANALYZE_AFTER_ROWS = 10_000


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[int], object]  # called with the organisation's id


def statistics_step(run: SyncRun) -> Step:
    """After a bulk load the planner still believes the table as it was (an initial sync of a
    100,000-row history left it estimating one row), and picked plans that made reconciliation
    read every newer row once per batch. PostgreSQL's own advice after a bulk load is ANALYZE;
    autovacuum would do it too, but only after the steps below have run."""

    def refresh(_organization_id: int) -> None:
        if database.vendor == "postgresql" and run.rows_added + run.rows_updated >= ANALYZE_AFTER_ROWS:
            with database.cursor() as cursor:
                cursor.execute(f'ANALYZE "{BankTransaction._meta.db_table}"')

    return Step("statistics", refresh)


STEPS = (
    Step("categorise", categories.categorize_uncategorized),
    Step("reconcile", reconciliation.reconcile),
    Step("settle bills", bill_payments.settle_paid_bills),
    Step("recurring", recurring.detect),
    Step("bump", bump),  # last: whatever the sync and the steps wrote, no figure is served stale
)


def after_sync(connection: Connection, run: SyncRun) -> list[str]:
    """Run every step for the connection's organisation; return the names of those that failed."""
    failures = []
    for step in (statistics_step(run), *STEPS):
        try:
            step.run(connection.organization_id)
        except Exception as exc:
            # A warning, not an error: Sentry's logging integration would report it a second time.
            logger.warning("after the sync of connection %s: %s failed", connection.pk, step.name, exc_info=exc)
            sentry_sdk.capture_exception(exc)
            failures.append({"step": step.name, "error": f"{type(exc).__name__}: {exc}"[:500]})
    if failures:
        SyncRun.objects.filter(pk=run.pk).update(after_sync_failures=failures)
        run.after_sync_failures = failures
    return [failure["step"] for failure in failures]
