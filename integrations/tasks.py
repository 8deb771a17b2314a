"""django-q entry points for the connectors."""

from __future__ import annotations

from integrations.models import SyncTrigger
from integrations.runner import run_sync


def sync_connection(connection_id: int, trigger: str = SyncTrigger.SCHEDULE) -> str:
    run = run_sync(connection_id, trigger)
    if run is None:
        return "already running: coalesced"
    return f"{run.status}: +{run.rows_added} ~{run.rows_updated} ={run.rows_unchanged}"
