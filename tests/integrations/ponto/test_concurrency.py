"""One sync per connection and one refresh per token, with real concurrency on PostgreSQL.

Two syncs of one connection race for its claim (two threads, two database connections); two
worker processes race to refresh one expired access token. Ponto's refresh tokens are single
use, so a second refresh with the same token would be reuse: the provider would revoke the
whole chain and the connection would need the user's consent again.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.utils import timezone

from core.models import User
from integrations import services
from integrations.models import Connection, ConnectionStatus, Credential, SyncRun, SyncStatus
from integrations.ponto.tokens import access_token
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.helpers import run_concurrently
from tests.integrations.ponto.conftest import assert_matches_ground_truth, control, link_ponto
from tests.integrations.ponto.test_crash import start_worker, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        db_connection.vendor != "postgresql",
        reason="row locks and a second process on the test database need PostgreSQL; CI runs this leg",
    ),
    pytest.mark.django_db(transaction=True),
]

TOKEN_DELAY = 0.8  # seconds the token endpoint takes: a wide window for the second worker

TOKEN_WORKER = """
import json
import sys
import time
from pathlib import Path

import django

django.setup()
from integrations.models import Connection
from integrations.ponto.tokens import access_token

connection = Connection.objects.get(pk=int(sys.argv[1]))  # connected before the start signal
ready, go, result = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
ready.touch()
while not go.exists():
    time.sleep(0.001)
started = time.time()
token = access_token(connection)
result.write_text(json.dumps({"token": token, "started": started, "finished": time.time()}))
"""


def expire_access_token(connection: Connection) -> None:
    expired = timezone.now() - datetime.timedelta(minutes=1)
    assert Credential.objects.filter(connection=connection).update(access_token_expires_at=expired) == 1


def test_two_concurrent_syncs_of_one_connection_run_once(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    # The first request of whichever sync wins takes a second: the loser surely finds it running.
    control(ponto, "POST", "faults", json={"kind": "timeout", "path": "/accounts", "seconds": 1.0, "times": 1})
    outcomes, errors = run_concurrently(2, lambda _: run_sync(connection.pk))

    assert errors == []
    runs = [outcome for outcome in outcomes if outcome is not None]
    assert len(outcomes) == 2 and len(runs) == 1
    assert runs[0].status == SyncStatus.SUCCESS, runs[0].error_message
    assert SyncRun.objects.filter(connection=connection).count() == 1
    assert_matches_ground_truth(ponto, connection)
    assert Connection.objects.filter(pk=connection.pk, sync_claimed_at__isnull=True).exists()


def test_two_workers_refreshing_one_expired_token_refresh_it_once(
    owner_client: Client, ponto: PontoSandbox, tmp_path: Path
):
    connection = link_ponto(owner_client)
    old_refresh_token = Credential.objects.get(connection=connection).refresh_token
    expire_access_token(connection)
    before: dict[str, Any] = control(ponto, "GET", "tokens")
    # Both calls, if there were two, would be slow: without the lock they would both present the token.
    control(
        ponto, "POST", "faults", json={"kind": "timeout", "path": "/oauth2/token", "seconds": TOKEN_DELAY, "times": 2}
    )
    go = tmp_path / "go"
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = []
    for n, log in enumerate(logs):
        args = [str(connection.pk), str(tmp_path / f"ready-{n}"), str(go), str(tmp_path / f"result-{n}.json")]
        workers.append(start_worker(TOKEN_WORKER, args, log))
    try:
        everyone_ready = wait_until(lambda: all((tmp_path / f"ready-{n}").exists() for n in range(2)), timeout=30)
        go.touch()  # both leave their loop within a millisecond of each other
        returncodes = [worker.wait(timeout=30) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert everyone_ready
    assert returncodes == [0, 0], [log.read_text() for log in logs]
    results = [json.loads((tmp_path / f"result-{n}.json").read_text()) for n in range(2)]
    # The two calls overlapped: each started before the other had its token.
    assert max(r["started"] for r in results) < min(r["finished"] for r in results)
    after: dict[str, Any] = control(ponto, "GET", "tokens")
    assert after["refreshTokens"]["used"] - before["refreshTokens"]["used"] == 1
    assert after["reuseDetected"] == before["reuseDetected"] == 0
    assert after["chainsRevoked"] == before["chainsRevoked"] == 0
    assert after["refreshTokens"]["active"] == 1
    credential = Credential.objects.get(connection=connection)
    assert results[0]["token"] == results[1]["token"] == credential.access_token
    assert credential.refresh_token and credential.refresh_token != old_refresh_token
    assert credential.access_token_expires_at is not None and credential.access_token_expires_at > timezone.now()

    # The stored refresh token is the live one: the next expiry refreshes with it, without reuse.
    control(ponto, "DELETE", "faults")
    expire_access_token(connection)
    assert access_token(connection) != results[0]["token"]
    final: dict[str, Any] = control(ponto, "GET", "tokens")
    assert final["refreshTokens"]["used"] - before["refreshTokens"]["used"] == 2
    assert final["reuseDetected"] == 0


@pytest.mark.parametrize("revocation", ["accepted", "failed"])
def test_a_connection_disconnected_while_it_syncs_stays_disconnected(
    owner_client: Client, owner: User, ponto: PontoSandbox, mailoutbox: list[Any], revocation: str
):
    connection = link_ponto(owner_client)
    # The sync's first request takes a second: the owner disconnects meanwhile.
    control(ponto, "POST", "faults", json={"kind": "timeout", "path": "/accounts", "seconds": 1.0, "times": 1})
    if revocation == "failed":  # the tokens stay valid at Ponto: the run may well succeed
        control(ponto, "POST", "faults", json={"kind": "503", "path": "/oauth2/revoke", "times": None})

    def sync_or_disconnect(n: int) -> object:
        if n == 0:
            return run_sync(connection.pk)
        running = SyncRun.objects.filter(connection=connection, status=SyncStatus.RUNNING)
        assert wait_until(running.exists, timeout=10)
        return services.disconnect(Connection.objects.get(pk=connection.pk), actor=owner)

    outcomes, errors = run_concurrently(2, sync_or_disconnect)

    assert errors == []
    [run] = [outcome for outcome in outcomes if isinstance(outcome, SyncRun)]
    assert SyncRun.objects.get(connection=connection).status == run.status != SyncStatus.RUNNING
    connection.refresh_from_db()
    assert (connection.status, connection.next_run_at) == (ConnectionStatus.DISCONNECTED, None)
    assert mailoutbox == []  # nobody is asked to re-authorise what they disconnected
