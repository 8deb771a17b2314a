"""How fast a first Ponto sync fills PostgreSQL, against PostgreSQL's own bulk load (COPY).

What it measures: a Ponto sandbox with 100,000 bookings on its main account (and its other
accounts' bookings), served on a local port; a connection linked through the real OAuth code
flow (PKCE, consent page, callback view); then the time of one initial `run_sync` of it into
PostgreSQL, in transactions per second, with where that time goes (HTTP fetch, of which the
token check and the sandbox's own work; the upsert, of which mapping, the plain COPY of a first
walk and the COPY upsert; the work that follows a sync: reconciliation and recurring detection).
The stored
rows are checked against the sandbox's ground truth. In the same run, the same rows (read back
as CSV into memory, untimed) are loaded with COPY into an empty temporary table of the same
shape, which is the floor for getting these rows into PostgreSQL at all; the ratio says how far
the sync is from it. A second COPY into a logged table with the same indexes and unique
constraint shows how much of that floor is WAL and index maintenance; a third adds the table's
foreign keys, whose checks run at commit for every row that any load into this table writes (over
a second for 125,000 rows): the same table, and the yardstick the sync is held to.

The sandbox is served from a process of its own, forked once it is built: Ponto is another
machine, and in this process its JSON rendering would hold the interpreter's lock against the
sync (the sync asks for the next page while it writes the current one). Its own time is shown
on its own. ``--sandbox-in-process`` serves it from a thread of this process instead, as the
tests do (and as this bench did before), to compare. Django's query log is off while timing,
as in production.

Run it by hand, never from the test suite::

    make bench-ponto
    make bench-ponto BENCH_ARGS="--transactions 20000"
    make bench-ponto BENCH_ARGS="--sandbox-in-process"

It DROPS and re-creates the database named by ``BENCH_PONTO_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench_ponto``; its name must contain "bench").
``REDIS_URL`` is ignored: the sync queued by the consent callback stays in this database's ORM
queue instead of reaching a shared Redis where a running worker would pick it up.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import multiprocessing
import os
import platform
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from multiprocessing.connection import Connection as Pipe
from statistics import median
from time import perf_counter
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

import django
import httpx

from bench.environment import bench_database, use_quiet_development_settings
from bench.invoices import migrate, recreate_database
from sandboxes.ponto import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    PontoSandbox,
    serve,
)

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from integrations.models import Connection, SyncRun

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench_ponto"
SEED = 2026
BENCH_EMAIL = "bench@ponto-bench.example"
COPY_TABLE = "bench_copy_banktransaction"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


# --- arguments and environment --------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--transactions", type=int, default=100_000, help="bookings on the sandbox's main account (default 100000)"
    )
    parser.add_argument(
        "--sandbox-in-process",
        action="store_true",
        help="serve the sandbox from a thread of this process (as the tests do), not from its own process",
    )
    args = parser.parse_args(argv)
    if args.transactions < 1:
        parser.error("--transactions must be at least 1")
    return args


def configure_environment(api_base_url: str) -> dict[str, Any]:
    """Point Django at the bench database and the sandbox, quietly, in development mode."""
    url, params = bench_database("BENCH_PONTO_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.pop("REDIS_URL", None)
    api = f"{api_base_url}/ponto-connect"
    use_quiet_development_settings(
        url,
        PONTO_API_URL=api,
        PONTO_AUTH_URL=f"{api}/oauth2/auth",
        PONTO_TOKEN_URL=f"{api}/oauth2/token",
        PONTO_REVOKE_URL=f"{api}/oauth2/revoke",
        PONTO_WEBHOOK_KEYS_URL=f"{api_base_url}/webhooks/keys",
        PONTO_CLIENT_ID=DEFAULT_CLIENT_ID,
        PONTO_CLIENT_SECRET=DEFAULT_CLIENT_SECRET,
        PONTO_REDIRECT_URI=DEFAULT_REDIRECT_URIS[0],
    )
    return params


# --- where the sandbox runs ------------------------------------------------------------------


class ThreadHost:
    """The sandbox served from a thread of this process."""

    def __init__(self, sandbox: PontoSandbox) -> None:
        self.sandbox = sandbox
        self.server, self.base_url = serve(sandbox)

    @contextlib.contextmanager
    def timed(self, watch: Stopwatch) -> Iterator[None]:
        self.server.set_app(timed_app(self.sandbox.wsgi_app, watch))
        try:
            yield
        finally:
            self.server.set_app(self.sandbox.wsgi_app)

    def stop(self) -> None:
        self.server.shutdown()


def _host_in_child(sandbox: PontoSandbox, pipe: Pipe) -> None:
    """The child's side of ProcessHost: serve, and time on request."""
    server, base_url = serve(sandbox)
    pipe.send(base_url)
    watch = Stopwatch("sandbox")
    while True:
        command = pipe.recv()
        if command == "time":
            watch = Stopwatch("sandbox")
            server.set_app(timed_app(sandbox.wsgi_app, watch))
            pipe.send(None)
        elif command == "untime":
            server.set_app(sandbox.wsgi_app)
            pipe.send((watch.seconds, watch.calls))
        else:
            server.shutdown()
            pipe.send(None)
            return


class ProcessHost:
    """The sandbox served from a forked process, as a provider is another machine."""

    def __init__(self, sandbox: PontoSandbox) -> None:
        context = multiprocessing.get_context("fork")  # the child inherits the built sandbox
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_host_in_child, args=(sandbox, child), daemon=True)
        self.process.start()
        self.base_url = str(self.pipe.recv())

    @contextlib.contextmanager
    def timed(self, watch: Stopwatch) -> Iterator[None]:
        self.pipe.send("time")
        self.pipe.recv()
        try:
            yield
        finally:
            self.pipe.send("untime")
            watch.seconds, watch.calls = self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send("stop")
        self.pipe.recv()
        self.process.join(timeout=10)


SandboxHost = ThreadHost | ProcessHost


# --- linking, as a user does ------------------------------------------------------------------


def consent_redirect(authorize_url: str) -> str:
    """Approve on the sandbox's consent page; return where it sends the browser back."""
    page = httpx.get(authorize_url, timeout=30)
    if page.status_code != 200:
        raise SystemExit(f"The consent page answered {page.status_code}: {page.text[:300]}")
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
    answer = httpx.post(authorize_url.split("?")[0], data={**fields, "decision": "approve"}, timeout=30)
    if answer.status_code not in (302, 303):
        raise SystemExit(f"The consent was not accepted ({answer.status_code}): {answer.text[:300]}")
    return str(answer.headers["location"])


def link_connection() -> Connection:
    """An owner connects Ponto through our pages: consent, callback, stored tokens and accounts."""
    from django.db import transaction
    from django.test import Client as HttpClient
    from django.urls import reverse

    from core.models import Membership, Organization, Role, User
    from integrations.models import Connection

    with transaction.atomic():
        organization = Organization.objects.create(name="Ponto Bench BV", slug="ponto-bench-bv")
        user = User.objects.create_user(email=BENCH_EMAIL, password=None, first_name="Bench", last_name="Owner")
        Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    browser = HttpClient()
    browser.force_login(user)
    start = browser.post(reverse("integrations:ponto_connect"))
    if start.status_code != 302:
        raise SystemExit(f"Connecting Ponto answered {start.status_code}, not a redirect to the consent page")
    back = urlsplit(consent_redirect(start["Location"]))
    done = browser.get(back.path, {key: values[0] for key, values in parse_qs(back.query).items()})
    connection = Connection.objects.filter(organization=organization).first()
    if done.status_code != 302 or connection is None or not hasattr(connection, "credential"):
        raise SystemExit(f"The consent callback did not link a connection (HTTP {done.status_code})")
    return connection


# --- timing the sync ---------------------------------------------------------------------------


@dataclass
class Stopwatch:
    label: str
    seconds: float = 0.0
    calls: int = 0


@contextlib.contextmanager
def timed_calls(owner: object, name: str, watch: Stopwatch) -> Iterator[None]:
    """Wrap `owner.name` so every call adds its wall time to `watch`; restore it afterwards."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            watch.seconds += perf_counter() - started
            watch.calls += 1

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def timed_app(app: WSGIApplication, watch: Stopwatch) -> WSGIApplication:
    """The sandbox's WSGI application, timed: what the simulated Ponto spends on each request."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        started = perf_counter()
        try:
            return list(app(environ, start_response))
        finally:
            watch.seconds += perf_counter() - started
            watch.calls += 1

    return application


def sql_timer(watches: dict[str, Stopwatch]) -> Callable[..., Any]:
    """An execute_wrapper that adds each statement's time to watches["sql"] and to one per SQL verb."""

    def time_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        watch = watches.setdefault(f"sql {kind}", Stopwatch(kind))
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = perf_counter() - started
            watches["sql"].seconds += elapsed
            watches["sql"].calls += 1
            watch.seconds += elapsed
            watch.calls += 1

    return time_sql


@dataclass
class SyncTiming:
    run: SyncRun
    seconds: float
    watches: dict[str, Stopwatch]


def timed_sync(connection: Connection, host: SandboxHost) -> SyncTiming:
    from django.db import connection as db
    from django.test.utils import override_settings

    from banking import ingest, pipeline
    from integrations.ponto import mapping, tokens
    from integrations.ponto.client import PontoClient
    from integrations.ponto.sync import PontoSync
    from integrations.runner import run_sync

    watches = {
        key: Stopwatch(label)
        for key, label in [
            ("fetch", "HTTP fetch (PontoClient._get: request, JSON decoding; in its own thread, overlapping)"),
            ("token", "token check (a SELECT … FOR UPDATE of the credential per request)"),
            ("sandbox", "the sandbox building and encoding pages (in its own process unless told otherwise)"),
            ("upsert", "upsert (PontoSync._upsert: mapping, writing, rollups)"),
            ("mapping", "mapping resources to fields (mapping.transaction_fields)"),
            ("insert", "COPY straight into the table, rows believed new (core.bulk.copy_insert)"),
            ("write", "COPY into a staging table and INSERT … ON CONFLICT (core.bulk.copy_upsert)"),
            ("after", "after the sync: banking.pipeline (categorise, reconcile, recurring flows)"),
            ("sql", "SQL statements, driver call to result (connection.execute_wrapper)"),
        ]
    }

    time_sql = sql_timer(watches)

    with contextlib.ExitStack() as stack:
        stack.enter_context(host.timed(watches["sandbox"]))
        stack.enter_context(timed_calls(PontoClient, "_get", watches["fetch"]))
        stack.enter_context(timed_calls(tokens, "access_token_until", watches["token"]))
        stack.enter_context(timed_calls(PontoSync, "_upsert", watches["upsert"]))
        stack.enter_context(timed_calls(mapping, "transaction_fields", watches["mapping"]))
        stack.enter_context(timed_calls(ingest, "copy_insert", watches["insert"]))
        stack.enter_context(timed_calls(ingest, "copy_upsert", watches["write"]))
        stack.enter_context(timed_calls(pipeline, "after_sync", watches["after"]))
        stack.enter_context(override_settings(DEBUG=False))  # no query log, as in production
        stack.enter_context(db.execute_wrapper(time_sql))
        started = perf_counter()
        run = run_sync(connection.pk)
        seconds = perf_counter() - started
    if run is None:
        raise SystemExit("The sync was coalesced: another sync of the bench connection is running.")
    return SyncTiming(run, seconds, watches)


def verify(connection: Connection, sandbox: PontoSandbox) -> tuple[int, int]:
    """The stored booked and pending transactions are exactly the sandbox's; their counts."""
    from banking.models import BankTransaction, TransactionStatus

    truth = cast(list[dict[str, Any]], sandbox.ground_truth()["accounts"])
    booked = {t["id"] for account in truth for t in account["transactions"]}
    pending = {t["id"] for account in truth for t in account["pending"]}
    stored = BankTransaction.objects.filter(connection=connection)
    stored_booked = set(stored.filter(status=TransactionStatus.BOOKED).values_list("external_id", flat=True))
    stored_pending = set(stored.filter(status=TransactionStatus.PENDING).values_list("external_id", flat=True))
    if stored_booked != booked or stored_pending != pending or stored.count() != len(booked) + len(pending):
        raise SystemExit(
            f"The stored transactions differ from the ground truth: {len(stored_booked):,} booked and "
            f"{len(stored_pending):,} pending stored, {len(booked):,} and {len(pending):,} expected"
        )
    return len(booked), len(pending)


# --- the COPY floor ---------------------------------------------------------------------------


@dataclass
class CopyTiming:
    rows: int
    csv_bytes: int
    build_seconds: float
    temp_seconds: float
    indexed_seconds: float
    constrained_seconds: float


def copy_floor(connection: Connection) -> CopyTiming:
    """COPY the sync's rows, as CSV in memory, into empty tables of the same shape."""
    from django.db import connection as db
    from psycopg2 import sql  # type: ignore[import-untyped]

    from banking.models import BankTransaction

    table, target = sql.Identifier(BankTransaction._meta.db_table), sql.Identifier(COPY_TABLE)
    db.ensure_connection()
    raw: Any = db.connection
    with raw.cursor() as cursor:
        buffer = io.StringIO()
        started = perf_counter()
        read_back = sql.SQL("COPY (SELECT * FROM {} WHERE connection_id = {} ORDER BY id) TO STDOUT CSV")
        cursor.copy_expert(read_back.format(table, sql.Literal(connection.pk)).as_string(raw), buffer)
        build_seconds = perf_counter() - started
        data = buffer.getvalue()
        cursor.execute(sql.SQL("SELECT count(*) FROM {} WHERE connection_id = %s").format(table), [connection.pk])
        (rows,) = cursor.fetchone()

        def load(create: sql.Composable) -> float:
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
            cursor.execute(create)
            raw.commit()
            started = perf_counter()
            cursor.copy_expert(sql.SQL("COPY {} FROM STDIN CSV").format(target).as_string(raw), io.StringIO(data))
            raw.commit()
            seconds = perf_counter() - started
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(target))
            (loaded,) = cursor.fetchone()
            if loaded != rows:
                raise SystemExit(f"COPY loaded {loaded:,} rows, not {rows:,}")
            return seconds

        # The median of three: one COPY's time varied by half from run to run on a shared machine.
        temp = median(
            load(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(target, table)) for _ in range(3)
        )
        like = sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, table)
        indexed = median(load(like) for _ in range(3))
        # LIKE copies no foreign key; the table's own are checked (at commit) for every row it takes.
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [BankTransaction._meta.db_table],
        )
        foreign_keys = [sql.SQL(definition) for (definition,) in cursor.fetchall()]
        with_keys = sql.Composed(
            [like, *(sql.SQL("; ALTER TABLE {} ADD {}").format(target, key) for key in foreign_keys)]
        )
        constrained = median(load(with_keys) for _ in range(3))
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
        raw.commit()
    return CopyTiming(rows, len(data.encode()), build_seconds, temp, indexed, constrained)


# --- reporting --------------------------------------------------------------------------------


def print_environment(params: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone() or ("?",)
        cursor.execute("SHOW synchronous_commit")
        (synchronous_commit,) = cursor.fetchone() or ("?",)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"PostgreSQL {version} at {params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{params['NAME']} "
        f"(synchronous_commit {synchronous_commit})"
    )
    print(
        f"CPUs: {os.cpu_count()} (usable by this process: {affinity}) · {platform.machine()} · "
        f"Python {platform.python_version()} · Django {django.get_version()} · httpx {httpx.__version__}"
    )
    if hasattr(os, "getloadavg"):
        print("Load average (1, 5, 15 min) before measuring: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


def print_sync(result: SyncTiming, booked: int, pending: int, requests: int) -> None:
    from integrations.ponto.client import PAGE_LIMIT

    run, seconds, watches = result.run, result.seconds, result.watches
    rows = booked + pending
    print()
    print(
        f"Initial sync: {rows:,} transactions ({booked:,} booked, {pending:,} pending) in {seconds:.1f} s: "
        f"{rows / seconds:,.0f} transactions/s"
    )
    print(
        f"  SyncRun #{run.pk} {run.status}: {run.pages_fetched:,} pages of booked transactions "
        f"(up to {PAGE_LIMIT} a page), {requests:,} API requests in all, {run.rows_added:,} rows added"
    )
    print("  Where the time goes (wall time, share of the whole sync):")
    upsert, after = watches["upsert"].seconds, watches["after"].seconds
    parts = [
        ("fetch", 4),
        ("token", 6),
        ("sandbox", 6),
        ("upsert", 4),
        ("mapping", 6),
        ("insert", 6),
        ("write", 6),
        ("after", 4),
    ]
    for key, indent in parts:
        watch = watches[key]
        print(
            f"{' ' * indent}{watch.seconds:7.2f} s {watch.seconds / seconds:6.1%}  {watch.label}, {watch.calls:,} calls"
        )
    # The booked pages are fetched in a thread of their own while the upsert writes: not subtracted.
    rest = seconds - upsert - after
    print(
        f"    {rest:7.2f} s {rest / seconds:6.1%}  the rest: waiting for pages, commits, accounts, pending, "
        "SyncRun bookkeeping"
    )
    sql = watches["sql"]
    print(
        f"  Across all of it, {sql.calls:,} SQL statements spent {sql.seconds:.2f} s ({sql.seconds / seconds:.1%}) "
        "between the driver call and its result (commits not included):"
    )
    kinds = sorted((w for key, w in watches.items() if key.startswith("sql ")), key=lambda w: -w.seconds)
    print("    " + "; ".join(f"{w.label} {w.calls:,} in {w.seconds:.2f} s" for w in kinds))


def print_copy(copy: CopyTiming, sync_seconds: float) -> None:
    print()
    print(
        f"The same {copy.rows:,} rows as CSV in memory: {copy.csv_bytes / 1e6:,.1f} MB "
        f"(read back with COPY TO in {copy.build_seconds:.2f} s, not counted)"
    )
    loads = [
        ("an empty TEMP table of the same shape (LIKE … INCLUDING DEFAULTS: no WAL, no indexes)", copy.temp_seconds),
        ("an empty logged table with the same indexes and unique constraint (INCLUDING ALL)", copy.indexed_seconds),
        ("the same table: its indexes, unique constraint and foreign keys (the yardstick)", copy.constrained_seconds),
    ]
    for label, seconds in loads:
        ratio = sync_seconds / seconds
        print(f"  COPY into {label} (the median of three):")
        print(f"    {seconds:.2f} s, {copy.rows / seconds:,.0f} rows/s; the sync took {ratio:,.1f}x as long")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    # authlib asks for the httpx2 fork; the chosen stack is httpx (as in pytest's configuration).
    # Importing authlib.deprecate puts an "always" filter first, so ours goes in after it.
    importlib.import_module("authlib.deprecate")
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    started = perf_counter()
    sandbox = PontoSandbox(seed=SEED, transactions_per_account=args.transactions)
    built = perf_counter() - started
    host: SandboxHost = ThreadHost(sandbox) if args.sandbox_in_process else ProcessHost(sandbox)
    try:
        params = configure_environment(host.base_url)
        django.setup()
        print(f"Smart Invoice benchmark: initial Ponto sync of {args.transactions:,} bookings into PostgreSQL")
        where = "a thread of this process" if args.sandbox_in_process else "a process of its own"
        print(f"Sandbox (seed {SEED}) built in {built:.1f} s, served from {where} on a local port.")
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        print_environment(params)
        connection = link_connection()
        print(f"Linked through the OAuth code flow: {connection} ({connection.accounts.count()} accounts).")

        result = timed_sync(connection, host)
        if result.run.status != "success":
            raise SystemExit(f"The sync failed: {result.run.error_message}")
        booked, pending = verify(connection, sandbox)
        print_sync(result, booked, pending, result.watches["fetch"].calls)
        print("  Checked: the stored transactions are exactly the sandbox's ground truth, each once.")

        copy = copy_floor(connection)
        print_copy(copy, result.seconds)
    finally:
        host.stop()
    print()
    print(f"Whole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
