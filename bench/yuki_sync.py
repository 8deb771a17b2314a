"""How long a first Yuki sync of a large administration takes, and how many of Yuki's daily calls it uses.

What it measures: a Yuki sandbox whose main administration has 20,000 open sales invoices (and
half as many open purchase invoices) and whose GL accounts read by the connection (bank 550000,
cash 570000 and, to reach the size, the accounts the sandbox pads with cost allocations) hold
about 200,000 GL transactions over the sandbox's two-year window; served on a local port. A
connection is linked with `integrations.yuki.linking` (the administration found through
`administrations_for_key`, picked by id), then one initial `run_sync` of it into PostgreSQL is
timed: total seconds, rows per second (also without the sandbox's own time, and without the
post-sync pipeline, banking.pipeline.after_sync, that follows it), SOAP calls per operation (from
QuotaUsage and counted on httpx's send) against Yuki's real limit of 1,000 calls a day per
domain, and where the time goes (HTTP and XML parsing, mirror_invoices, ledger upserts, the
rest), measured by wrapping functions here, never by changing project code. The stored rows
are checked against the sandbox's ground truth.

The sandbox runs in this process (a server thread), as the tests run it: building its answers
shares the interpreter with the sync, so the HTTP time includes it; it is shown on its own and
subtracted. Its books are frozen out of the garbage collector's reach (gc.freeze), which a
production process does not hold at all. Django's query log is off while timing, as in production.

Run it by hand, never from the test suite::

    make bench-yuki
    make bench-yuki BENCH_ARGS="--open-items 2000 --gl-transactions 20000"    # a tenth of the size

It DROPS and re-creates the database named by ``BENCH_YUKI_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench_yuki``; its name must contain "bench").
``REDIS_URL`` is ignored: Yuki sessions are cached in this process's memory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import importlib
import math
import os
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any, cast

import django

from bench.environment import bench_database, use_quiet_development_settings
from bench.invoices import migrate, recreate_database
from bench.ponto_sync import Stopwatch, print_environment, sql_timer, timed_app, timed_calls
from sandboxes.yuki import SandboxServer, YukiSandbox, serve
from sandboxes.yuki.history import ALLOCATION_ROLES

if TYPE_CHECKING:
    from banking.pipeline import Step
    from integrations.models import Connection, SyncRun

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench_yuki"
SEED = 2026
REGION = "BE"
BENCH_EMAIL = "bench@yuki-bench.example"
BANK_AND_CASH = ("550000", "570000")
REAL_DOMAIN_LIMIT = 1_000  # Yuki's calls a day per domain, shared by every integration of the domain
CONTACTS_PAGE_SIZE = 100  # SearchContacts pages, fixed by Yuki
SIZING_TOLERANCE = 0.005  # the GL accounts read hold the target number of transactions to within 0.5 %
SIZING_ATTEMPTS = 5
CLIENT_METHODS = (
    "search_contacts",
    "outstanding_debtor_items",
    "outstanding_creditor_items",
    "gl_account_transactions",
    "gl_account_balance",
    "updated_and_deleted_transactions",
)


# --- arguments and environment --------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--open-items", type=int, default=20_000, help="open sales invoices in the administration (default 20000)"
    )
    parser.add_argument(
        "--gl-transactions",
        type=int,
        default=200_000,
        help="GL transactions the accounts read by the connection hold in all (default 200000)",
    )
    args = parser.parse_args(argv)
    if args.open_items < 1 or args.gl_transactions < 1:
        parser.error("--open-items and --gl-transactions must be at least 1")
    return args


def configure_environment() -> dict[str, Any]:
    """Point Django at the bench database, quietly, in development mode; before settings load."""
    url, params = bench_database("BENCH_YUKI_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.pop("REDIS_URL", None)
    use_quiet_development_settings(url)
    return params


# --- the sandbox, sized by its ground truth ----------------------------------------------------


@dataclass
class Sizing:
    accounts: list[str]
    per_month: int | None
    counts: dict[str, int]  # GL transactions per account read, from the ground truth
    builds: list[tuple[int | None, int]] = field(default_factory=list)  # (per month, read) per attempt
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def main_truth(sandbox: YukiSandbox, *, transactions: bool = False, account: str | None = None) -> dict[str, Any]:
    truth = sandbox.ground_truth(sandbox.administration.id, account, transactions=transactions)
    administrations = cast(list[dict[str, Any]], truth["administrations"])
    return next(a for a in administrations if a["id"] == sandbox.administration.id)


def account_counts(sandbox: YukiSandbox, codes: Sequence[str]) -> dict[str, int]:
    accounts = {a["code"]: int(a["count"]) for a in main_truth(sandbox)["glAccounts"]}
    return {code: accounts[code] for code in codes}


def build_sandbox(open_items: int, target: int) -> tuple[YukiSandbox, Sizing]:
    """A sandbox whose GL accounts read hold `target` transactions (to within SIZING_TOLERANCE).

    Bank and cash first; if they hold too few, the accounts the sandbox pads with cost allocations
    are read too and the monthly padding is adjusted until the ground truth says the total fits.
    """
    started = perf_counter()

    def build(per_month: int | None) -> YukiSandbox:
        return YukiSandbox(seed=SEED, open_items=open_items, gl_transactions_per_month=per_month, region=REGION)

    sandbox = build(None)
    sizing = Sizing(list(BANK_AND_CASH), None, account_counts(sandbox, BANK_AND_CASH))
    sizing.builds.append((None, sizing.total))
    if sizing.total < target * (1 - SIZING_TOLERANCE):
        chart = sandbox.administration.ledger.chart
        padded = {chart.code(role) for role in ALLOCATION_ROLES}
        codes = [*BANK_AND_CASH, *(a.code for a in chart.accounts if a.code in padded and a.code not in BANK_AND_CASH)]
        months = len(list(sandbox.window.months()))
        read = sum(account_counts(sandbox, codes).values())  # the same accounts without padding
        per_month = max(2, math.ceil(main_truth(sandbox)["counts"]["glTransactions"] / months))
        per_month += max(0, math.ceil((target - read) / months))
        best: tuple[YukiSandbox, dict[str, int], int] | None = None
        for _ in range(SIZING_ATTEMPTS):
            candidate = build(per_month)
            counts = account_counts(candidate, codes)
            total = sum(counts.values())
            sizing.builds.append((per_month, total))
            if best is None or abs(total - target) < abs(sum(best[1].values()) - target):
                best = (candidate, counts, per_month)
            if abs(total - target) <= target * SIZING_TOLERANCE:
                break
            per_month = max(2, per_month + round((target - total) / months))
        assert best is not None
        sandbox, sizing.counts, sizing.per_month = best
        sizing.accounts = codes
    sizing.seconds = perf_counter() - started
    return sandbox, sizing


# --- linking, as the connect pages do -------------------------------------------------------------


def link_connection(sandbox: YukiSandbox) -> tuple[Connection, list[str]]:
    """An owner links the sandbox's main administration with the domain-wide access key."""
    from django.db import transaction

    from core.models import Membership, Organization, Role, User
    from integrations.yuki import linking

    with transaction.atomic():
        organization = Organization.objects.create(name="Yuki Bench BV", slug="yuki-bench-bv")
        user = User.objects.create_user(email=BENCH_EMAIL, password=None, first_name="Bench", last_name="Owner")
        Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    reached = linking.administrations_for_key(REGION, sandbox.access_key)
    wanted = sandbox.administration.id.lower()
    administration = next((a for a in reached if str(a.id).lower() == wanted), None)
    if administration is None:
        raise SystemExit(f"The key does not reach the sandbox's main administration ({len(reached)} reached)")
    connection = linking.link(
        organization=organization,
        actor=user,
        region=REGION,
        access_key=sandbox.access_key,
        administration=administration,
    )
    return connection, [f"{a.name} ({a.id})" for a in reached]


def expected_calls(sandbox: YukiSandbox) -> int:
    """What an initial sync should call: Authenticate, contact pages (until an empty one), both
    open-item lists, GLAccountTransactions once a month over two years (every account in one
    call), GLAccountBalance."""
    contacts = len(sandbox.domain(sandbox.administration.domain_id).contacts)
    months = 12 * 2 + 1  # from the first of the month two years back, to this month
    return 1 + (math.ceil(contacts / CONTACTS_PAGE_SIZE) + 1) + 2 + months + 1


@dataclass
class Budget:
    expected: int
    connection_budget: int
    domain_limit: int
    default_budget: int


def set_budget(connection: Connection, sizing: Sizing, sandbox: YukiSandbox) -> Budget:
    """The GL accounts to read and a daily call budget (and domain limit) the sync cannot run into."""
    from django.conf import settings

    expected = expected_calls(sandbox)
    budget = max(REAL_DOMAIN_LIMIT, 2 * expected)
    settings.YUKI_DOMAIN_DAILY_LIMIT = max(int(settings.YUKI_DOMAIN_DAILY_LIMIT), budget)
    sandbox.quota.limit = max(sandbox.quota.limit, budget)  # the simulated Yuki must not refuse either
    connection.config = {**connection.config, "gl_accounts": sizing.accounts, "daily_call_budget": budget}
    connection.save(update_fields=["config"])
    return Budget(expected, budget, int(settings.YUKI_DOMAIN_DAILY_LIMIT), int(settings.YUKI_DAILY_CALL_BUDGET))


# --- timing the sync ---------------------------------------------------------------------------


@dataclass
class SyncTiming:
    run: SyncRun
    seconds: float
    history_start: datetime.date  # the first day of the ledger the sync reads (two years back, a month start)
    watches: dict[str, Stopwatch]
    operations: Counter[str]  # HTTP attempts per SOAP operation, on the client's HTTP layer
    contacts_enriched: int
    sandbox_calls: int


@contextlib.contextmanager
def counted_operations(operations: Counter[str]) -> Iterator[None]:
    """Count every HTTP attempt of the Yuki client by SOAP operation (read from its SOAPAction)."""
    import httpx

    from integrations.yuki import soap

    original = httpx.Client.send

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        operations[soap.operation_of(request) or "?"] += 1
        return original(self, request, **kwargs)

    httpx.Client.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        httpx.Client.send = original  # type: ignore[method-assign]


@contextlib.contextmanager
def timed_steps(watches: dict[str, Stopwatch]) -> Iterator[None]:
    """Time each step of banking.pipeline on its own (watches "step <name>"): the steps hold their
    functions since import, so the STEPS tuple is swapped for timed copies, then restored."""
    from banking import pipeline

    original = pipeline.STEPS

    def timed(step: Step) -> Step:
        watch = watches.setdefault(f"step {step.name}", Stopwatch(f"pipeline step {step.name}"))

        def run(organization_id: int) -> object:
            started = perf_counter()
            try:
                return step.run(organization_id)
            finally:
                watch.seconds += perf_counter() - started
                watch.calls += 1

        return replace(step, run=run)

    pipeline.STEPS = tuple(timed(step) for step in original)  # type: ignore[assignment]  # the same steps
    try:
        yield
    finally:
        pipeline.STEPS = original


@contextlib.contextmanager
def enriched_contacts(found: list[int]) -> Iterator[None]:
    """Wrap YukiSync._contacts to note how many clients it updated (the run's rows_updated)."""
    from integrations.yuki.sync import YukiSync

    original = YukiSync._contacts

    def contacts(self: YukiSync, client: Any) -> None:
        before = self.run.rows_updated
        try:
            original(self, client)
        finally:
            found.append(self.run.rows_updated - before)

    YukiSync._contacts = contacts  # type: ignore[method-assign]
    try:
        yield
    finally:
        YukiSync._contacts = original  # type: ignore[method-assign]


def timed_sync(connection: Connection, server: SandboxServer, sandbox: YukiSandbox) -> SyncTiming:
    import httpx
    from django.db import connection as db
    from django.test.utils import override_settings
    from django.utils import timezone

    from banking import pipeline
    from banking.models import Bill
    from dashboards import rollups
    from integrations.runner import run_sync
    from integrations.yuki import linking, soap
    from integrations.yuki import sync as sync_module
    from integrations.yuki.client import YukiClient
    from integrations.yuki.sync import YukiSync
    from invoices.services import imports

    labels = [
        ("quota", "quota counting before each call (linking.count_call → quota.count_call)"),
        ("http", "HTTP round trip (httpx.Client.request)"),
        ("sandbox", "the sandbox building and encoding answers (server thread, same process)"),
        ("parse", "XML parsing (soap.parse_envelope)"),
        ("mirror", "mirror_invoices (receivables, one batch)"),
        ("free_number", "_taken_numbers (the invoice numbers already taken, one query)"),
        ("recompute", "recompute_many (totals of every mirrored invoice from grouped sums)"),
        ("client_for", "YukiSync._client_for (find or create the client of an open item)"),
        ("vanished", "YukiSync._settle_vanished_receivables"),
        ("payables", "YukiSync._payables (its fetch included)"),
        ("bill_insert", "INSERT of bills (Bill.objects.bulk_create)"),
        ("contacts", "YukiSync._contacts (its fetch included)"),
        ("ledger", "YukiSync._ledger (its fetch included)"),
        ("upsert", "ledger upserts (YukiSync._upsert_ledger)"),
        ("gl_write", "COPY of GL transactions into a staging table and INSERT … ON CONFLICT (copy_upsert)"),
        ("balances", "YukiSync._balances (its fetch included)"),
        ("rollups", "rollups.refresh (daily and counterparty rollups of the days written)"),
        ("post_sync", "after the sync: banking.pipeline.after_sync"),
        ("sql", "SQL statements, driver call to result (connection.execute_wrapper)"),
    ]
    watches = {key: Stopwatch(label) for key, label in labels}
    for method in CLIENT_METHODS:
        watches[f"client {method}"] = Stopwatch(f"YukiClient.{method}")

    time_sql = sql_timer(watches)

    operations: Counter[str] = Counter()
    enriched: list[int] = []
    domain = sandbox.administration.domain_id
    calls_before = sandbox.quota.used(domain, sandbox.now())
    server.set_app(timed_app(sandbox.wsgi_app, watches["sandbox"]))
    with contextlib.ExitStack() as stack:
        for method in CLIENT_METHODS:
            stack.enter_context(timed_calls(YukiClient, method, watches[f"client {method}"]))
        stack.enter_context(timed_calls(linking, "count_call", watches["quota"]))
        stack.enter_context(timed_calls(httpx.Client, "request", watches["http"]))
        stack.enter_context(timed_calls(soap, "parse_envelope", watches["parse"]))
        stack.enter_context(timed_calls(sync_module, "mirror_invoices", watches["mirror"]))
        stack.enter_context(timed_calls(imports, "_taken_numbers", watches["free_number"]))
        stack.enter_context(timed_calls(imports, "recompute_many", watches["recompute"]))
        for method in ("_client_for", "_payables", "_contacts", "_ledger", "_upsert_ledger", "_balances"):
            key = {"_client_for": "client_for", "_upsert_ledger": "upsert"}.get(method, method.lstrip("_"))
            stack.enter_context(timed_calls(YukiSync, method, watches[key]))
        stack.enter_context(timed_calls(YukiSync, "_settle_vanished_receivables", watches["vanished"]))
        stack.enter_context(timed_calls(rollups, "refresh", watches["rollups"]))
        # The runner calls `pipeline.after_sync` through the module, so the module attribute is wrapped.
        stack.enter_context(timed_calls(pipeline, "after_sync", watches["post_sync"]))
        stack.enter_context(timed_steps(watches))
        stack.enter_context(timed_calls(Bill.objects, "bulk_create", watches["bill_insert"]))
        stack.enter_context(timed_calls(sync_module, "copy_upsert", watches["gl_write"]))
        stack.enter_context(counted_operations(operations))
        stack.enter_context(enriched_contacts(enriched))
        stack.enter_context(override_settings(DEBUG=False))  # no query log, as in production
        stack.enter_context(db.execute_wrapper(time_sql))
        today = timezone.localdate()
        started = perf_counter()
        run = run_sync(connection.pk)
        seconds = perf_counter() - started
    server.set_app(sandbox.wsgi_app)
    if run is None:
        raise SystemExit("The sync was coalesced: another sync of the bench connection is running.")
    sandbox_calls = sandbox.quota.used(domain, sandbox.now()) - calls_before
    history_start = datetime.date(today.year - 2, today.month, 1)  # as YukiSync._ledger_by_month starts
    return SyncTiming(run, seconds, history_start, watches, operations, sum(enriched), sandbox_calls)


# --- checking against the ground truth ------------------------------------------------------------


@dataclass
class Checked:
    invoices: int
    partly_paid: int
    bills: int
    gl: dict[str, tuple[int, Decimal]]  # per account: count and sum
    older: dict[str, int]  # per account: transactions dated before the history the sync reads
    history_start: datetime.date
    clients: int
    clients_without_city: int  # clients with a Yuki contact code whose contact has a city they lack


def verify(
    connection: Connection, sandbox: YukiSandbox, accounts: Sequence[str], history_start: datetime.date
) -> Checked:
    """Exactly the sandbox's open items and GL transactions (those dated from `history_start` on,
    the two years the sync reads) are stored, with the same amounts."""
    from django.db.models import Count, Sum

    from banking.models import BankTransaction, Bill
    from invoices.models import Client, Invoice

    truth = main_truth(sandbox)
    problems: list[str] = []

    debtors = {
        row["id"]: (Decimal(row["originalAmount"]), Decimal(row["openAmount"]))
        for row in truth["openDebtorItems"]
        if row["typeId"] == 6 and Decimal(row["openAmount"]) != 0
    }
    mirrored = {
        external_id: (total, balance, paid)
        for external_id, total, balance, paid in Invoice.all_objects.filter(
            organization_id=connection.organization_id, source="yuki"
        ).values_list("external_id", "total", "balance_due", "amount_paid")
    }
    if set(mirrored) != set(debtors):
        problems.append(f"{len(mirrored):,} invoices mirrored for {len(debtors):,} open type-6 debtor items")
    wrong = [
        key
        for key, (original, open_amount) in debtors.items()
        if key in mirrored and mirrored[key] != (original, open_amount, original - open_amount)
    ]
    if wrong:
        problems.append(f"{len(wrong):,} mirrored invoices differ in total, balance or paid amount (e.g. {wrong[0]})")

    creditors = {
        row["id"]: (Decimal(row["originalAmount"]), Decimal(row["openAmount"]))
        for row in truth["openCreditorItems"]
        if row["typeId"] == 2 and Decimal(row["openAmount"]) != 0
    }
    bills = {
        external_id: (original, open_amount, settled)
        for external_id, original, open_amount, settled in Bill.objects.filter(connection=connection).values_list(
            "external_id", "original_amount", "open_amount", "settled_on"
        )
    }
    if set(bills) != set(creditors):
        problems.append(f"{len(bills):,} bills stored for {len(creditors):,} open type-2 creditor items")
    wrong = [key for key, amounts in creditors.items() if key in bills and bills[key] != (*amounts, None)]
    if wrong:
        problems.append(f"{len(wrong):,} bills differ in amounts or are settled (e.g. {wrong[0]})")

    gl: dict[str, tuple[int, Decimal]] = {}
    older: dict[str, int] = {}
    first = history_start.isoformat()
    for code in accounts:
        (account,) = main_truth(sandbox, transactions=True, account=code)["glAccounts"]
        rows = account["transactions"]
        expected = {row["id"]: Decimal(row["amount"]) for row in rows if row["date"] >= first}
        older[code] = len(rows) - len(expected)
        stored = dict(
            BankTransaction.objects.filter(connection=connection, account__external_id=f"gl:{code}").values_list(
                "external_id", "amount"
            )
        )
        count, total = len(stored), sum(stored.values(), Decimal("0.00"))
        if stored != expected or count != len(expected) or total != sum(expected.values(), Decimal("0.00")):
            problems.append(
                f"GL {code}: {count:,} transactions summing to {total} stored, {len(expected):,} summing to "
                f"{sum(expected.values(), Decimal('0.00'))} in Yuki from {first} on"
            )
        gl[code] = (count, total)
    others = BankTransaction.objects.filter(connection=connection).exclude(
        account__external_id__in=[f"gl:{code}" for code in accounts]
    )
    if others.exists():
        problems.append(f"{others.count():,} GL transactions stored on accounts not read")
    duplicates = (
        BankTransaction.objects.filter(connection=connection)
        .values("external_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .aggregate(Sum("n"))["n__sum"]
    )
    if duplicates:
        problems.append(f"{duplicates:,} GL transactions stored more than once")
    if problems:
        raise SystemExit("The stored rows differ from the sandbox's ground truth:\n  " + "\n  ".join(problems))

    contacts = {c.code: c for c in sandbox.domain(sandbox.administration.domain_id).contacts if c.code}
    clients = Client.objects.filter(organization_id=connection.organization_id)
    without_city = sum(
        1
        for code, city in clients.exclude(external_code="").values_list("external_code", "city")
        if not city and code in contacts and contacts[code].city
    )
    partly = sum(1 for original, open_amount in debtors.values() if open_amount != original)
    return Checked(len(debtors), partly, len(creditors), gl, older, history_start, clients.count(), without_city)


# --- reporting --------------------------------------------------------------------------------


def print_sizing(sizing: Sizing, sandbox: YukiSandbox, target: int) -> None:
    truth = main_truth(sandbox)
    counts = truth["counts"]
    tries = ", ".join(f"{per_month or 'none'} → {read:,}" for per_month, read in sizing.builds)
    print(
        f"Sandbox (seed {SEED}) sized in {sizing.seconds:.1f} s, {len(sizing.builds)} builds "
        f"(GL lines per month → transactions in the accounts read: {tries})."
    )
    print(
        f"  Books {sandbox.window.start} to {sandbox.window.end}: {counts['glTransactions']:,} GL transactions "
        f"in all, GL lines per month padded to {sizing.per_month or 'none'}; {counts['openDebtorItems']:,} open "
        f"debtor items, {counts['openCreditorItems']:,} open creditor items, {counts['contacts']:,} contacts."
    )
    names = {a["code"]: a["description"] for a in truth["glAccounts"]}
    off = (sizing.total - target) / target
    print(
        f"  GL accounts read: {len(sizing.accounts)}, holding {sizing.total:,} transactions ({off:+.2%} of {target:,}):"
    )
    for code in sizing.accounts:
        print(f"    {code} {names[code]:<30} {sizing.counts[code]:>8,}")


def print_sync(result: SyncTiming, checked: Checked, budget: Budget, quota_calls: int) -> None:
    run, seconds, w = result.run, result.seconds, result.watches
    gl_rows = sum(count for count, _ in checked.gl.values())
    rows = checked.invoices + checked.bills + gl_rows
    print()
    own = seconds - w["sandbox"].seconds
    print(f"Initial sync: {rows:,} rows in {seconds:.1f} s: {rows / seconds:,.0f} rows/s")
    print(
        f"  without the sandbox's own time ({w['sandbox'].seconds:.1f} s building its answers): "
        f"{rows:,} rows in {own:.1f} s: {rows / own:,.0f} rows/s"
    )
    ingest = own - w["post_sync"].seconds
    print(
        f"  and without what follows the sync ({w['post_sync'].seconds:.1f} s in banking.pipeline.after_sync): "
        f"{rows:,} rows in {ingest:.1f} s: {rows / ingest:,.0f} rows/s"
    )
    print(f"  invoices mirrored      {checked.invoices:>8,}  ({checked.partly_paid:,} partly paid there)")
    print(f"  bills                  {checked.bills:>8,}")
    print(f"  GL transactions        {gl_rows:>8,}  (rows read per account:)")
    for code, (count, total) in checked.gl.items():
        print(f"      {code}           {count:>8,}  summing to {total:>16,}")
    print(
        f"  contacts enriched      {result.contacts_enriched:>8,}  "
        f"({checked.clients:,} clients made from the open items)"
    )
    print(
        f"  SyncRun #{run.pk} {run.status}: {run.pages_fetched:,} pages (as the sync counts them), "
        f"{run.rows_added:,} rows added, {run.rows_updated:,} updated, {run.rows_unchanged:,} unchanged"
    )

    http_calls = sum(result.operations.values())
    print()
    print(
        f"SOAP calls: {quota_calls:,} counted in QuotaUsage; {http_calls:,} on the client's HTTP layer "
        f"({w['http'].calls:,} httpx requests); {result.sandbox_calls:,} charged by the sandbox; "
        f"{budget.expected:,} expected"
    )
    print("  " + "; ".join(f"{name} {n:,}" for name, n in sorted(result.operations.items(), key=lambda kv: -kv[1])))
    print(
        f"  Budget for the bench: daily_call_budget {budget.connection_budget:,} for the connection, "
        f"YUKI_DOMAIN_DAILY_LIMIT {budget.domain_limit:,} (the settings' default budget is "
        f"{budget.default_budget:,} a connection a day)"
    )
    share = quota_calls / REAL_DOMAIN_LIMIT
    if quota_calls <= REAL_DOMAIN_LIMIT:
        verdict = f"FITS in one day of Yuki's real quota: {quota_calls:,} of {REAL_DOMAIN_LIMIT:,} calls ({share:.0%})"
    else:
        verdict = (
            f"DOES NOT FIT in one day of Yuki's real quota: {quota_calls:,} calls, {share:.1f}x the "
            f"{REAL_DOMAIN_LIMIT:,} a day; at least {math.ceil(share)} days"
        )
    print(f"  {verdict}, a limit shared with every other integration of the domain.")
    if quota_calls > budget.default_budget:
        print(
            f"  With the default per-connection budget of {budget.default_budget:,} calls a day it would NOT "
            f"finish in one day: it stops at {budget.default_budget:,} and resumes the ledger the next day, "
            f"at least {math.ceil(quota_calls / budget.default_budget)} days in all."
        )

    def line(key: str, indent: int, label: str | None = None, value: float | None = None) -> None:
        secs = w[key].seconds if value is None else value
        calls = f", {w[key].calls:,} calls" if value is None else ""
        print(f"{' ' * indent}{secs:8.2f} s {secs / seconds:6.1%}  {label or w[key].label}{calls}")

    fetch = sum(w[f"client {m}"].seconds for m in CLIENT_METHODS)
    fetch_calls = sum(w[f"client {m}"].calls for m in CLIENT_METHODS)
    creditors_fetch = w["client outstanding_creditor_items"].seconds
    contacts_fetch = w["client search_contacts"].seconds
    payables_db = w["payables"].seconds - creditors_fetch
    contacts_db = w["contacts"].seconds - contacts_fetch
    rest = seconds - fetch - w["mirror"].seconds - w["client_for"].seconds - w["upsert"].seconds
    rest -= w["vanished"].seconds + payables_db + contacts_db + w["post_sync"].seconds
    mapping = fetch - w["quota"].seconds - w["http"].seconds - w["parse"].seconds
    print()
    print("Where the time goes (wall time, share of the whole sync; indented lines are part of the line above):")
    line("http", 2, f"Yuki client, HTTP + XML parsing ({fetch_calls:,} client calls)", fetch)
    line("http", 4)
    line("sandbox", 6)
    line("parse", 4)
    line("quota", 4)
    line("http", 4, "building result objects from the XML (the rest of the client calls)", mapping)
    line("mirror", 2)
    line("free_number", 4)
    line("recompute", 4)
    line("upsert", 2)
    line("gl_write", 4)
    line("rollups", 4)
    line("client_for", 2)
    line("payables", 2, "bills (YukiSync._payables without its fetch)", payables_db)
    line("bill_insert", 4)
    line("contacts", 2, "contacts (YukiSync._contacts without its fetch)", contacts_db)
    line("vanished", 2)
    line("post_sync", 2)
    for key in (key for key in w if key.startswith("step ")):
        line(key, 4)
    other = "other: ledger commits (their deferred foreign-key checks), progress marks, balances, SyncRun bookkeeping"
    line("http", 2, other, rest)
    print("  Per client call:")
    for method in CLIENT_METHODS:
        watch = w[f"client {method}"]
        if watch.calls:
            each = watch.seconds / watch.calls
            print(f"    {method:<34} {watch.calls:>5,} calls {watch.seconds:8.2f} s ({each:.3f} s each)")
    sql = w["sql"]
    print(
        f"  Across all of it, {sql.calls:,} SQL statements spent {sql.seconds:.2f} s ({sql.seconds / seconds:.1%}) "
        "between the driver call and its result (commits not included):"
    )
    kinds = sorted((x for key, x in w.items() if key.startswith("sql ")), key=lambda x: -x.seconds)
    print("    " + "; ".join(f"{x.label} {x.calls:,} in {x.seconds:.2f} s" for x in kinds))


def print_checked(checked: Checked) -> None:
    gl = ", ".join(f"{code} {count:,} summing to {total}" for code, (count, total) in checked.gl.items())
    print()
    print(
        f"Checked: the {checked.invoices:,} mirrored invoices are exactly the sandbox's open type-6 debtor items "
        f"(total, balance due and amount paid there); the {checked.bills:,} bills exactly its open type-2 creditor "
        f"items (original and open amounts, none settled); the GL transactions per account exactly its ground "
        f"truth from {checked.history_start} on, each once, by id and amount ({gl})."
    )
    older = {code: n for code, n in checked.older.items() if n}
    if older:
        print(
            f"  Not expected: {sum(older.values()):,} transaction(s) the sandbox dates before {checked.history_start}, "
            f"outside the two years the sync reads ({', '.join(f'{code}: {n:,}' for code, n in older.items())})."
        )
    if checked.clients_without_city:
        print(
            f"  Note: {checked.clients_without_city:,} of the {checked.clients:,} clients made from open items have "
            "no city although their Yuki contact has one: contacts are read before the clients exist, and "
            "contacts_synced_on is set to today, so the next sync will not bring them either."
        )


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    # authlib asks for the httpx2 fork; the chosen stack is httpx (as in pytest's configuration).
    # Importing authlib.deprecate puts an "always" filter first, so ours goes in after it.
    importlib.import_module("authlib.deprecate")
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    params = configure_environment()
    django.setup()
    from django.conf import settings
    from django.db.models import Sum

    from integrations.models import QuotaUsage

    print(
        f"Smart Invoice benchmark: initial Yuki sync of {args.open_items:,} open items and "
        f"{args.gl_transactions:,} GL transactions into PostgreSQL"
    )
    recreate_database(params)
    print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
    print_environment(params)
    sandbox, sizing = build_sandbox(args.open_items, args.gl_transactions)
    print_sizing(sizing, sandbox, args.gl_transactions)
    # The sandbox's books (millions of objects) live in this process only because the bench runs it
    # here: frozen, the garbage collector no longer walks them on every full collection of the sync.
    gc.collect()
    gc.freeze()
    print(f"Froze the sandbox's {gc.get_freeze_count():,} objects out of the garbage collector's reach.")
    server, base_url = serve(sandbox)
    try:
        settings.YUKI_API_URLS = {"BE": f"{base_url}/be", "NL": f"{base_url}/nl"}
        connection, reached = link_connection(sandbox)
        budget = set_budget(connection, sizing, sandbox)
        print(f"Serving on a local port; the key reaches: {'; '.join(reached)}.")
        print(f"Linked with linking.link: {connection} (administration {connection.config['administration_id']}).")
        print(
            f"Config: gl_accounts {', '.join(sizing.accounts)}; daily_call_budget {budget.connection_budget:,}; "
            f"YUKI_DOMAIN_DAILY_LIMIT {budget.domain_limit:,} (the sandbox's own daily quota too)."
        )

        result = timed_sync(connection, server, sandbox)
        if result.run.status != "success":
            raise SystemExit(f"The sync failed after {result.seconds:.1f} s: {result.run.error_message}")
        quota_calls = int(QuotaUsage.objects.filter(connection=connection).aggregate(n=Sum("calls"))["n"] or 0)
        checked = verify(connection, sandbox, sizing.accounts, result.history_start)
        print_sync(result, checked, budget, quota_calls)
        print_checked(checked)
    finally:
        server.shutdown()
    print()
    print(f"Whole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
