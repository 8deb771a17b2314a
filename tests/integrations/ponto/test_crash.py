"""A worker killed in the middle of a sync (a real process, SIGKILL) at random points: the next
run completes to exactly the ground truth.

Each round starts `run_sync` in a fresh Python process against the test database and the live
sandbox, lets it get into the sync, and kills it without warning wherever it is (waiting for a
page, mapping one, inside a page's transaction): no `finally` runs, the claim stays set and the
SyncRun stays "running". PostgreSQL rolls back the transaction the dead connection had open;
what was committed before is whole pages. The next run must take the dead claim over and finish.
"""

from __future__ import annotations

import datetime
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection as db_connection
from django.db.models import Count
from django.test import Client

from banking.models import BankTransaction
from integrations import runner
from integrations.models import Connection, SyncRun, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import assert_matches_ground_truth, control, ground_truth, link_ponto
from tests.subprocess_django import ROOT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        db_connection.vendor != "postgresql",
        reason="a second process shares the test database only on PostgreSQL (SQLite's test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]

SEED = 7  # kills 0.94, 0.55 and 1.70 s into the three runs
ROUNDS = 3
# After the worker has claimed the connection and opened its SyncRun, it is killed this many
# seconds later (seeded, so a failure can be replayed). Until one walk of the main account's
# 5,000 bookings completes, each run starts it over, which takes a worker 2-3 s: the kills land
# inside the walk (the test fails if none did).
KILL_AFTER = (0.2, 2.5)
NEW_PER_ROUND = 4
_INHERITED = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")

WORKER = """
import sys
import django

django.setup()
from integrations.runner import run_sync

run = run_sync(int(sys.argv[1]))
print("coalesced" if run is None else run.status, flush=True)
"""


@pytest.fixture
def sandbox_size() -> int:
    return 5_000


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's `test_…` copy), for a child."""
    params = db_connection.settings_dict
    user, password = quote(str(params["USER"] or ""), safe=""), quote(str(params["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(str(params["HOST"] or "localhost"), safe="")  # a socket directory is percent-encoded
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(str(params['NAME']), safe='')}"


def worker_environment() -> dict[str, str]:
    """What a django-q worker of this deployment would see: same database, keys and Ponto URLs."""
    environment = {key: os.environ[key] for key in _INHERITED if key in os.environ}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": str(settings.SECRET_KEY),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "PONTO_API_URL": settings.PONTO_API_URL,
        "PONTO_AUTH_URL": settings.PONTO_AUTH_URL,
        "PONTO_TOKEN_URL": settings.PONTO_TOKEN_URL,
        "PONTO_REVOKE_URL": settings.PONTO_REVOKE_URL,
        "PONTO_CLIENT_ID": settings.PONTO_CLIENT_ID,
        "PONTO_CLIENT_SECRET": settings.PONTO_CLIENT_SECRET,
        "PONTO_TIMEOUT_SECONDS": str(settings.PONTO_TIMEOUT_SECONDS),
    }
    if os.environ.get("REDIS_URL"):
        environment["REDIS_URL"] = os.environ["REDIS_URL"]
    return environment


def start_worker(code: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Run `code` in a new Python process with the worker environment; output goes to `log`."""
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter running our own snippet
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=worker_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def take_over_dead_claim(connection: Connection) -> bool:
    """Age a dead worker's claim past the stale-claim age, as the clock would; False if none is set.

    In production the claim of a killed worker stays set until `Q_CLUSTER["retry"]` seconds have
    passed (`runner.stale_claim_age()`); then django-q hands the task to another worker, whose
    `claim()` takes the stale claim over. Waiting twelve minutes is no test, so the claim is moved
    back in time by more than that age, and the real takeover path of `claim()` does the rest.
    """
    claimed_at = Connection.objects.filter(pk=connection.pk).values_list("sync_claimed_at", flat=True).get()
    if claimed_at is None:
        return False
    aged = claimed_at - runner.stale_claim_age() - datetime.timedelta(seconds=1)
    return Connection.objects.filter(pk=connection.pk, sync_claimed_at=claimed_at).update(sync_claimed_at=aged) == 1


def test_a_sync_killed_at_random_points_is_completed_exactly_by_the_next_run(
    owner_client: Client, ponto: PontoSandbox, tmp_path: Path
):
    rng = random.Random(SEED)
    connection = link_ponto(owner_client)
    main_account = str(ponto.accounts[0].id)
    killed_mid_sync: list[int] = []

    for round_number in range(ROUNDS):
        runs_before = set(SyncRun.objects.filter(connection=connection).values_list("pk", flat=True))
        log = tmp_path / f"worker-{round_number}.log"
        worker = start_worker(WORKER, [str(connection.pk)], log)

        def started(before: set[int] = runs_before, process: subprocess.Popen[bytes] = worker) -> bool:
            opened = SyncRun.objects.filter(connection=connection).exclude(pk__in=before).exists()
            return opened or process.poll() is not None

        wait_until(started, timeout=30)
        time.sleep(rng.uniform(*KILL_AFTER))
        os.kill(worker.pid, signal.SIGKILL)  # the pid is ours until wait() reaps it, dead or alive
        worker.wait(timeout=10)

        run = SyncRun.objects.filter(connection=connection).exclude(pk__in=runs_before).first()
        assert run is not None, f"the worker never started syncing: {log.read_text()}"
        if worker.returncode == -signal.SIGKILL and run.status == SyncStatus.RUNNING:
            killed_mid_sync.append(run.pk)
            # The dead worker's claim still holds: a trigger now is coalesced, nothing starts.
            assert run_sync(connection.pk) is None
            assert take_over_dead_claim(connection)
        else:  # it finished before the signal landed (perhaps all but releasing its claim)
            assert run.status == SyncStatus.SUCCESS, (run.error_message, log.read_text())
            take_over_dead_claim(connection)
        control(ponto, "POST", f"accounts/{main_account}/transactions", json={"count": NEW_PER_ROUND})

    final = run_sync(connection.pk)

    assert final is not None and final.status == SyncStatus.SUCCESS, final and final.error_message
    assert killed_mid_sync, "every worker finished before it was killed: lower KILL_AFTER"
    # The killed runs were left "running" (proof the kill landed mid-sync); the run that took over
    # the claim closed them as failed, with the reason in words.
    abandoned = SyncRun.objects.filter(pk__in=killed_mid_sync)
    assert all(run.status == SyncStatus.FAILED and "worker stopped" in run.error_message for run in abandoned)
    assert_matches_ground_truth(ponto, connection)
    stored = BankTransaction.objects.filter(connection=connection)
    duplicates = stored.values("external_id").annotate(copies=Count("id")).filter(copies__gt=1)
    assert not duplicates.exists()
    expected = sum(account["count"] + len(account["pending"]) for account in ground_truth(ponto).values())
    assert stored.count() == stored.values("external_id").distinct().count() == expected
    assert Connection.objects.filter(pk=connection.pk, sync_claimed_at__isnull=True).exists()
