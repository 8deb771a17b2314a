"""The shared sync loop: claim the connection, run its provider's sync, record the outcome, then
run the post-sync pipeline (banking.pipeline: categorise, reconcile, recurring flows, data version).

One sync per connection at a time: a conditional UPDATE claims the row, and a second trigger
that finds it claimed is coalesced into the running sync. A claim older than the queue's
timeout belongs to a worker that died and may be taken over.
"""

from __future__ import annotations

import datetime
import logging
import uuid

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from banking import pipeline
from integrations import notifications
from integrations.connectors import connector_for
from integrations.errors import AuthError, FailureClass, ProviderError, QuotaExceeded, TransientError, UnexpectedError
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncStatus, SyncTrigger
from integrations.models.connections import FAILURE_ALERT_THRESHOLD
from webhooks import events as webhook_events

logger = logging.getLogger(__name__)

# An unclassified failure is retried with backoff this many times in a row, then waits for a person.
UNEXPECTED_RETRIES = 5


def stale_claim_age() -> datetime.timedelta:
    """A claim older than this belongs to a worker that died: a task may run `timeout` seconds,
    and the queue hands it out again after `retry` (larger), which must find the claim stale."""
    timeout, retry = int(settings.Q_CLUSTER["timeout"]), int(settings.Q_CLUSTER["retry"])
    return datetime.timedelta(seconds=min(timeout + 30, retry - 30))


def is_syncing(connection: Connection) -> bool:
    claimed_at = connection.sync_claimed_at
    return claimed_at is not None and claimed_at >= timezone.now() - stale_claim_age()


def claim(connection_id: int) -> uuid.UUID | None:
    token = uuid.uuid4()
    now = timezone.now()
    claimed = (
        Connection.objects.filter(pk=connection_id)
        .filter(Q(sync_claimed_at__isnull=True) | Q(sync_claimed_at__lt=now - stale_claim_age()))
        .exclude(status__in=[ConnectionStatus.DISCONNECTED, ConnectionStatus.PENDING])  # pending: no consent yet
        .update(sync_claimed_at=now, sync_claim=token, last_attempt_at=now)
    )
    return token if claimed else None


def release(connection_id: int, token: uuid.UUID) -> None:
    Connection.objects.filter(pk=connection_id, sync_claim=token).update(sync_claimed_at=None, sync_claim=None)


def run_sync(connection_id: int, trigger: str = SyncTrigger.SCHEDULE) -> SyncRun | None:
    """Sync one connection now, unless a sync of it is already running (then None)."""
    token = claim(connection_id)
    if token is None:
        logger.info("connection %s is already being synced: trigger %s coalesced", connection_id, trigger)
        return None
    try:
        connection = Connection.objects.get(pk=connection_id)
        _close_abandoned_runs(connection)
        run = SyncRun.objects.create(connection=connection, trigger=trigger)
        try:
            connector_for(connection.provider).sync(connection, run)
        except ProviderError as exc:
            _record_failure(connection, run, exc)
        except Exception as exc:
            # A warning, not an error: Sentry's logging integration would report it a second time.
            logger.warning("sync of connection %s failed unexpectedly", connection_id, exc_info=exc)
            sentry_sdk.capture_exception(exc)
            _record_failure(connection, run, UnexpectedError(exc))
        else:
            _record_success(connection, run)
        pipeline.after_sync(connection, run)  # whatever the outcome: a failed run may have written rows
        return run
    finally:
        release(connection_id, token)


def _close_abandoned_runs(connection: Connection) -> None:
    """Runs still "running" while we hold the claim were left by a worker that died."""
    SyncRun.objects.filter(connection=connection, status=SyncStatus.RUNNING).update(
        status=SyncStatus.FAILED,
        finished_at=timezone.now(),
        error_class=FailureClass.TRANSIENT,
        error_message="The worker stopped before the sync finished (killed or timed out); the next run resumed it.",
    )


def _finish(run: SyncRun, status: SyncStatus, error: ProviderError | None = None) -> None:
    run.status = status
    run.finished_at = timezone.now()
    if error is not None:
        run.error_class = error.failure_class
        run.error_message = error.message[:2000]
    run.save()


def _record_success(connection: Connection, run: SyncRun) -> None:
    _finish(run, SyncStatus.SUCCESS)
    now = timezone.now()
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        if locked.status == ConnectionStatus.DISCONNECTED:
            return  # disconnected while the run went on: it stays disconnected, its run recorded
        locked.set_status(
            ConnectionStatus.ACTIVE,
            last_success_at=now,
            consecutive_failures=0,
            last_error="",
            last_error_class="",
            next_run_at=now + datetime.timedelta(minutes=connection.sync_interval_minutes),
        )


def _record_failure(connection: Connection, run: SyncRun, error: ProviderError) -> None:
    _finish(run, SyncStatus.FAILED, error)
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        if locked.status == ConnectionStatus.DISCONNECTED:
            return  # as above: a failure of a run its owner no longer wants changes nothing
        was_failing, old_status = locked.is_failing, locked.status
        failures, status = locked.consecutive_failures + 1, old_status  # the row is locked: no lost update
        if isinstance(error, AuthError):
            status = ConnectionStatus.NEEDS_REAUTH
        elif _waits_for_a_person(error, connection):
            status = ConnectionStatus.ERROR
        locked.set_status(
            status,
            consecutive_failures=failures,
            last_error=error.message[:2000],
            last_error_class=error.failure_class,
            next_run_at=timezone.now() + _retry_delay(failures, error, connection),
        )
        webhook_events.sync_failed(locked, newly_needs_reauth=old_status != ConnectionStatus.NEEDS_REAUTH)
    newly_needs_reauth = status == ConnectionStatus.NEEDS_REAUTH and old_status != ConnectionStatus.NEEDS_REAUTH
    newly_failing = failures >= FAILURE_ALERT_THRESHOLD and not was_failing
    if newly_needs_reauth or newly_failing:
        notifications.tell_owners(locked)


def _waits_for_a_person(error: ProviderError, connection: Connection) -> bool:
    """Only a fault known to be permanent stops the schedule at once; an unexpected one does
    once the last UNEXPECTED_RETRIES runs all ended on one (transient faults between them do
    not use up its retries)."""
    if isinstance(error, TransientError):
        return False
    if isinstance(error, UnexpectedError):
        latest = (
            SyncRun.objects.filter(connection=connection)
            .exclude(status=SyncStatus.RUNNING)
            .order_by("-started_at", "-id")
            .values_list("error_class", flat=True)[:UNEXPECTED_RETRIES]
        )
        return list(latest) == [FailureClass.UNEXPECTED] * UNEXPECTED_RETRIES
    return True


def _retry_delay(failures: int, error: ProviderError, connection: Connection) -> datetime.timedelta:
    if isinstance(error, QuotaExceeded) and error.retry_after:
        return datetime.timedelta(seconds=error.retry_after)  # resume when the daily quota resets
    if not _waits_for_a_person(error, connection):
        return datetime.timedelta(minutes=min(5 * 2 ** max(failures - 1, 0), 360))
    return datetime.timedelta(hours=6)
