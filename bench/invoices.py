"""Server time of the invoice pages and the invoice PDF on a realistically large organisation.

What it measures: one organisation with ~2,000 clients, 100,000 invoices (2-4 lines each)
and 50,000 payments in PostgreSQL; then, in-process through Django's test client (no network,
no web server), the median and 95th percentile of:

* the invoice list (first page), and the list filtered to overdue invoices sorted by balance due,
* an invoice's detail page (an invoice with lines and payments),
* the detail page and the statement of the client with the most invoices,
* rendering that invoice's PDF directly, and downloading it through its view,

with the number of SQL queries each one makes. It compares them with the seed's targets (list
< 500 ms, detail < 800 ms, PDF < 2 s, at most 5 queries a page) and with our goal of 10x better.

The data is built with ``bulk_create`` (the services would take hours), but every stored number
is what the services would have stored: line amounts from ``invoices.money.line_amounts``,
invoice totals, paid amounts, balances and statuses, gapless numbers with their sequence rows,
structured references, and an audit log of the size the services leave behind.

Run it by hand, never from the test suite::

    make bench-invoices
    make bench-invoices BENCH_ARGS="--reuse"              # keep the data of the previous run
    make bench-invoices BENCH_ARGS="--invoices 20000 --payments 10000 --requests 10"

It DROPS and re-creates the database named by ``BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench``; its name must contain "bench").
``REDIS_URL``, if set, is used for the cache and sessions as in production.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import math
import os
import platform
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

import django

from bench.environment import bench_database, use_quiet_development_settings

if TYPE_CHECKING:
    from django.test import Client as HttpClient

    from core.models import Organization, User
    from invoices.models import Client, Invoice
    from invoices.money import LineAmounts

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench"
SEED = 20260301
CLIENTS = 2_000
BATCH = 5_000
YEARS = 2
WARMUPS = 2
PDF_RUNS = 20
QUERY_BUDGET = 5  # MAX_QUERIES in tests/invoices/test_views.py
BENCH_SLUG = "bench-bv"
BENCH_EMAIL = "bench@bench-bv.example"

# kind of page: (the seed's target, our goal), in milliseconds
TARGETS_MS: dict[str, tuple[float, float]] = {"list": (500, 50), "detail": (800, 80), "pdf": (2_000, 200)}

D = Decimal
VAT_RATES = [(D("21"), 75), (D("6"), 15), (D("0"), 10)]
QUANTITIES = [D("1"), D("1"), D("1"), D("2"), D("3"), D("5"), D("10"), D("0.5"), D("7.5"), D("12.25")]
DESCRIPTIONS = [
    "Consulting",
    "Software development",
    "Project management",
    "Support contract (monthly)",
    "Training day",
    "Hosting and backups",
    "Licence renewal",
    "Travel expenses",
    "Hardware",
    "Design work",
    "Annual audit",
    "Maintenance visit",
]
NAME_PARTS = (
    ["Brasserie", "Atelier", "Bakkerij", "Garage", "Drukkerij", "Studio", "Transport", "Bouw", "Apotheek", "Hotel"],
    ["Dupont", "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters"],
    ["BV", "NV", "SRL", "SA", "VOF", "CommV"],
)
CITIES = [("1000", "Brussel"), ("2000", "Antwerpen"), ("9000", "Gent"), ("3000", "Leuven"), ("4000", "Liège")]
PAYMENT_METHODS = [("bank_transfer", 80), ("direct_debit", 10), ("card", 7), ("cash", 3)]


# --- arguments and environment --------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, default=100_000, help="invoices to build (default 100000)")
    parser.add_argument("--payments", type=int, default=50_000, help="payments to build (default 50000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database when it already holds this data set"
    )
    args = parser.parse_args(argv)
    if args.invoices < 1 or args.payments < 1 or args.requests < 1:
        parser.error("--invoices, --payments and --requests must be at least 1")
    return args


def configure_environment() -> dict[str, Any]:
    """Point Django at the bench database, quietly, in development mode; before settings load."""
    url, params = bench_database("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    use_quiet_development_settings(url)
    return params


# --- the database ---------------------------------------------------------------------------


def _maintenance_connection(params: dict[str, Any]) -> Any:
    import psycopg2  # type: ignore[import-untyped]

    connection = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def database_exists(params: dict[str, Any]) -> bool:
    connection = _maintenance_connection(params)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
            return cursor.fetchone() is not None
    finally:
        connection.close()


T = TypeVar("T")


def reusable_data(reuse: bool, params: dict[str, Any], existing: Callable[[], T | None]) -> T | None:
    """With --reuse and the bench database there (migrated), what `existing()` finds in it;
    None when it must be built again."""
    from django.db import connections

    if not (reuse and database_exists(params)):
        return None
    migrate()
    found = existing()
    if found is None:
        print("--reuse: the bench database does not hold this data set; building it again.")
        connections.close_all()
    else:
        print("--reuse: the bench database already holds this data set; not building it.")
    return found


def recreate_database(params: dict[str, Any]) -> None:
    from psycopg2 import sql

    name = sql.Identifier(params["NAME"])
    connection = _maintenance_connection(params)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    finally:
        connection.close()


def migrate() -> float:
    from django.core.management import call_command

    started = perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return perf_counter() - started


def existing_data(args: argparse.Namespace) -> tuple[Organization, User] | None:
    """The bench organisation and user, if the database holds exactly the requested data set."""
    from core.models import Organization, User
    from invoices.models import Client, Invoice, Payment

    organization = Organization.objects.filter(slug=BENCH_SLUG).first()
    user = User.objects.filter(email=BENCH_EMAIL).first()
    if organization is None or user is None:
        return None
    counts = (
        Client.objects.filter(organization=organization).count(),
        Invoice.all_objects.filter(organization=organization).count(),
        Payment.all_objects.filter(organization=organization).count(),
    )
    return (organization, user) if counts == (CLIENTS, args.invoices, args.payments) else None


# --- what to build ---------------------------------------------------------------------------


@dataclass(slots=True)
class LinePlan:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amounts: LineAmounts

    @property
    def category(self) -> str:
        return "S" if self.vat_rate > 0 else "Z"


@dataclass(slots=True)
class InvoicePlan:
    client: int  # index into the clients
    issue_date: datetime.date
    due_date: datetime.date
    lines: list[LinePlan]
    subtotal: Decimal
    vat_total: Decimal
    total: Decimal
    draft: bool = False
    cancelled: bool = False
    number: str = ""
    reference: str = ""
    status: str = ""
    paid_on: datetime.date | None = None  # the last payment's date, once paid
    payments: list[tuple[datetime.date, Decimal]] = field(default_factory=list)

    @property
    def amount_paid(self) -> Decimal:
        return sum((amount for _, amount in self.payments), D("0.00"))

    @property
    def balance_due(self) -> Decimal:
        return self.total - self.amount_paid


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def plan_invoices(rng: random.Random, terms: Sequence[int], count: int, today: datetime.date) -> list[InvoicePlan]:
    """Invoices spread over two years, a few clients with many; numbered in date order per year."""
    from invoices.models import InvoiceStatus
    from invoices.money import line_amounts
    from invoices.references import make_reference
    from invoices.vat import VatLine, vat_breakdown
    from invoices.vat import vat_total as vat_total_of

    days = 365 * YEARS
    start = today - datetime.timedelta(days=days - 1)
    # A long tail: the biggest client has ~1 % of the invoices, most have a few dozen.
    weights = [1 / math.sqrt(rank + 1) for rank in range(len(terms))]
    owners = rng.choices(range(len(terms)), weights, k=count)
    plans = []
    for client in owners:
        issue_date = start + datetime.timedelta(days=rng.randrange(days))
        lines = []
        for _ in range(rng.randint(2, 4)):
            quantity = rng.choice(QUANTITIES)
            unit_price = D(rng.randint(1_500, 250_000)) / 100
            vat_rate = _weighted(rng, VAT_RATES)
            amounts = line_amounts(quantity, unit_price, vat_rate)
            lines.append(LinePlan(rng.choice(DESCRIPTIONS), quantity, unit_price, vat_rate, amounts))
        subtotal = sum((line.amounts.net for line in lines), D("0.00"))
        vat_total = vat_total_of(
            vat_breakdown(VatLine(line.category, line.vat_rate, line.amounts.net) for line in lines)
        )
        plan = InvoicePlan(
            client=client,
            issue_date=issue_date,
            due_date=issue_date + datetime.timedelta(days=terms[client]),
            lines=lines,
            subtotal=subtotal,
            vat_total=vat_total,
            total=subtotal + vat_total,
        )
        # A few drafts, all from the last month; a handful of cancelled invoices.
        plan.draft = (today - issue_date).days < 30 and rng.random() < 0.25
        plan.cancelled = not plan.draft and rng.random() < 0.005
        plans.append(plan)
    plans.sort(key=lambda plan: plan.issue_date)  # stable: numbers follow the issue dates
    sequence: Counter[int] = Counter()
    for plan in plans:
        year = plan.issue_date.year
        sequence[year] += 1
        plan.number = f"INV-{year}-{sequence[year]:04d}"
        plan.reference = make_reference(year * 1_000_000 + sequence[year])
        plan.status = InvoiceStatus.DRAFT if plan.draft else InvoiceStatus.CANCELLED if plan.cancelled else ""
    return plans


def _payment_date(
    rng: random.Random, plan: InvoicePlan, today: datetime.date, after: datetime.date | None = None
) -> datetime.date:
    terms = (plan.due_date - plan.issue_date).days
    delay = int(rng.triangular(0, terms + 45, terms * 0.8))
    return min((after or plan.issue_date) + datetime.timedelta(days=delay), today)


def plan_payments(rng: random.Random, plans: Sequence[InvoicePlan], count: int, today: datetime.date) -> int:
    """Spread `count` payments, older invoices first: most settle an invoice in one go, some in two,
    some leave it partly paid. Then set every issued invoice's status as the services would."""
    from invoices.models import InvoiceStatus
    from invoices.money import round_cents

    payable = [plan for plan in plans if not plan.draft and not plan.cancelled]
    scored = sorted(payable, key=lambda plan: (today - plan.issue_date).days * rng.uniform(0.5, 1.5), reverse=True)
    left = count
    for plan in scored:
        if not left:
            break
        roll = rng.random()
        if roll < 0.12:  # part now: half of these pay the rest later
            part = min(round_cents(plan.total * D(str(rng.uniform(0.2, 0.8)))), plan.total - D("0.01"))
            first = _payment_date(rng, plan, today)
            plan.payments.append((first, max(part, D("0.01"))))
            left -= 1
            if roll < 0.06 and left and plan.balance_due > 0:
                plan.payments.append((_payment_date(rng, plan, today, after=first), plan.balance_due))
                left -= 1
        else:
            plan.payments.append((_payment_date(rng, plan, today), plan.total))
            left -= 1
    while left:  # more payments than invoices can take in one or two: split open balances further
        progressed = False
        for plan in scored:
            if left and plan.balance_due >= D("0.02"):
                plan.payments.append((today, round_cents(plan.balance_due / 2)))
                left -= 1
                progressed = True
        if not progressed:
            print(f"warning: only {count - left:,} of {count:,} payments fit on the invoices", file=sys.stderr)
            break
    for plan in payable:
        if plan.balance_due <= 0:
            plan.status = InvoiceStatus.PAID
            plan.paid_on = max((day for day, _ in plan.payments), default=None)
        elif plan.due_date < today:  # the daily task marks every past-due open invoice overdue
            plan.status = InvoiceStatus.OVERDUE
        elif plan.payments:
            plan.status = InvoiceStatus.PARTIALLY_PAID
        else:
            plan.status = InvoiceStatus.SENT
    return count - left


# --- building ---------------------------------------------------------------------------------


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(args: argparse.Namespace) -> tuple[Organization, User]:
    from django.db import transaction
    from django.utils import timezone

    from core.models import AuditEvent, Membership, Organization, Role, User
    from invoices.models import (
        BillingProfile,
        Client,
        DocumentSequence,
        Invoice,
        InvoiceItem,
        InvoiceStatus,
        Payment,
        Series,
    )
    from invoices.references import format_reference

    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        organization = Organization.objects.create(name="Bench BV", slug=BENCH_SLUG)
        user = User.objects.create_user(email=BENCH_EMAIL, password=None, first_name="Bench", last_name="Owner")
        Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
        BillingProfile.objects.create(
            organization=organization,
            legal_name="Bench BV",
            address_line1="Kunstlaan 1",
            postal_code="1000",
            city="Brussel",
            vat_number="BE0123456749",
            iban="BE71096123456769",  # valid, so open invoices carry their payment QR code
            bic="GKCCBEBB",
            email="billing@bench-bv.example",
            phone="+32 2 123 45 67",
        )

        clients = []
        for n in range(CLIENTS):
            postal_code, city = rng.choice(CITIES)
            name = " ".join(rng.choice(part) for part in NAME_PARTS[:2]) + f" {n + 1} {rng.choice(NAME_PARTS[2])}"
            clients.append(
                Client(
                    organization_id=organization.pk,
                    name=name,
                    email=f"accounts@client{n + 1}.example",
                    vat_number=f"BE0{rng.randint(100_000_000, 999_999_999)}",
                    address_line1=f"{rng.choice(NAME_PARTS[1])}straat {rng.randint(1, 200)}",
                    postal_code=postal_code,
                    city=city,
                    payment_terms_days=rng.choice([14, 30, 30, 30, 45, 60]),
                )
            )
        Client.objects.bulk_create(clients, batch_size=BATCH)

        plans = plan_invoices(rng, [client.payment_terms_days for client in clients], args.invoices, today)
        plan_payments(rng, plans, args.payments, today)
        if any(plan.status not in InvoiceStatus.values for plan in plans):
            raise AssertionError("an invoice was planned without a status")

        for batch in _batches(plans, BATCH):
            invoices = [
                Invoice(
                    organization_id=organization.pk,
                    client_id=clients[plan.client].pk,
                    number=plan.number,
                    issue_date=plan.issue_date,
                    due_date=plan.due_date,
                    status=plan.status,
                    payment_reference=plan.reference,
                    subtotal=plan.subtotal,
                    vat_total=plan.vat_total,
                    total=plan.total,
                    amount_paid=plan.amount_paid,
                    balance_due=plan.balance_due,
                    paid_on=plan.paid_on,
                    sent_at=None if plan.draft else _at(plan.issue_date, 9),
                    cancelled_at=_at(plan.issue_date + datetime.timedelta(days=3), 10) if plan.cancelled else None,
                )
                for plan in batch
            ]
            Invoice.all_objects.bulk_create(invoices)
            items, payments, events = [], [], []
            for plan, invoice in zip(batch, invoices, strict=True):
                for position, line in enumerate(plan.lines):
                    items.append(
                        InvoiceItem(
                            organization_id=organization.pk,
                            invoice_id=invoice.pk,
                            position=position,
                            description=line.description,
                            quantity=line.quantity,
                            unit_price=line.unit_price,
                            vat_rate=line.vat_rate,
                            vat_category=line.category,
                            net_amount=line.amounts.net,
                            vat_amount=line.amounts.vat,
                            gross_amount=line.amounts.gross,
                        )
                    )
                for date, amount in plan.payments:
                    method = _weighted(rng, PAYMENT_METHODS)
                    payments.append(
                        Payment(
                            organization_id=organization.pk,
                            client_id=invoice.client_id,
                            invoice_id=invoice.pk,
                            amount=amount,
                            date=date,
                            method=method,
                            reference=format_reference(plan.reference) if method == "bank_transfer" else "",
                        )
                    )
                actions = ["invoice.created"] if plan.draft else ["invoice.created", "invoice.sent"]
                events += [
                    AuditEvent(
                        organization_id=organization.pk,
                        actor_id=user.pk,
                        actor_email=user.email,
                        action=action,
                        target_type="invoices.invoice",
                        target_id=str(invoice.pk),
                        target_repr=plan.number,
                        changes={"after": {"number": plan.number, "status": plan.status, "total": str(plan.total)}},
                    )
                    for action in actions
                ]
            InvoiceItem.objects.bulk_create(items, batch_size=BATCH)
            Payment.all_objects.bulk_create(payments, batch_size=BATCH)
            events += [
                AuditEvent(
                    organization_id=organization.pk,
                    actor_id=user.pk,
                    actor_email=user.email,
                    action="payment.recorded",
                    target_type="invoices.payment",
                    target_id=str(payment.pk),
                    target_repr=f"{payment.currency} {payment.amount}",
                    changes={"after": {"invoice_id": payment.invoice_id, "amount": str(payment.amount)}},
                )
                for payment in payments
            ]
            AuditEvent.objects.bulk_create(events, batch_size=BATCH)

        last_numbers: dict[int, int] = {}
        for plan in plans:
            last_numbers[plan.issue_date.year] = int(plan.number.rsplit("-", 1)[1])
        DocumentSequence.objects.bulk_create(
            DocumentSequence(organization=organization, series=Series.INVOICE, year=year, last_number=last)
            for year, last in sorted(last_numbers.items())
        )
    return organization, user


def analyze() -> float:
    """Fresh planner statistics, and the visibility map autovacuum would soon set anyway, so a
    fresh build and a --reuse run measure the same state."""
    from django.db import connection

    started = perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return perf_counter() - started


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    label: str
    kind: str  # a key of TARGETS_MS
    samples_ms: list[float]
    queries: list[dict[str, str]]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def slowest_query(self) -> dict[str, str] | None:
        return max(self.queries, key=lambda query: float(query["time"]), default=None)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _fetch(client: HttpClient, url: str) -> bytes:
    response = client.get(url)
    body = response.getvalue()  # the whole body, streamed (the PDF) or not
    response.close()
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
    return body


def measure(label: str, kind: str, action: Callable[[], object], runs: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        action()
    samples = []
    for _ in range(runs):
        started = perf_counter()
        action()
        samples.append((perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        action()
    return Result(label, kind, samples, list(captured.captured_queries))


def run_measurements(organization: Organization, user: User, requests: int) -> tuple[list[Result], Invoice, Client]:
    from django.db.models import Count
    from django.test import Client as HttpClient
    from django.urls import reverse

    from core import tenancy
    from invoices.models import Client, Invoice, Payment
    from invoices.pdf import invoice_pdf

    # The invoice with the most payments (and its lines); the client with the most invoices.
    paid = (
        Payment.objects.filter(organization=organization, invoice__isnull=False)
        .values("invoice_id")
        .annotate(n=Count("id"))
        .order_by("-n", "invoice_id")
        .first()
    )
    if paid is None:
        raise SystemExit("The bench organisation has no payment on an invoice: build with --payments > 0.")
    invoice = Invoice.objects.get(pk=paid["invoice_id"])
    biggest = (
        Invoice.objects.filter(organization=organization)
        .values("client_id")
        .annotate(n=Count("id"))
        .order_by("-n", "client_id")
        .first()
    )
    if biggest is None:
        raise SystemExit("The bench organisation has no invoices.")
    client = Client.objects.get(pk=biggest["client_id"])

    tenancy.forget_memberships(user.pk)  # a cache (Redis) may remember an earlier build's rows
    browser = HttpClient(HTTP_HOST="localhost")
    browser.force_login(user)
    pages = [
        ("Invoice list, page 1", "list", reverse("invoices:invoice_list")),
        (
            "Invoice list, overdue by balance",
            "list",
            reverse("invoices:invoice_list") + "?status=overdue&sort=-balance_due",
        ),
        (f"Invoice detail ({invoice.number})", "detail", reverse("invoices:invoice_detail", args=[invoice.pk])),
        ("Client detail (biggest client)", "detail", reverse("invoices:client_detail", args=[client.pk])),
        ("Client statement (biggest client)", "detail", reverse("invoices:client_statement", args=[client.pk])),
    ]
    results = [measure(label, kind, functools.partial(_fetch, browser, url), requests) for label, kind, url in pages]

    pdf = invoice_pdf(invoice)
    if not pdf.startswith(b"%PDF"):
        raise SystemExit("invoice_pdf did not return a PDF")
    results.append(measure("Invoice PDF, rendered (invoice_pdf)", "pdf", lambda: invoice_pdf(invoice), PDF_RUNS))
    url = reverse("invoices:invoice_pdf", args=[invoice.pk])
    results.append(measure("Invoice PDF, downloaded (view)", "pdf", lambda: _fetch(browser, url), PDF_RUNS))
    results += _open_invoice_results(organization, browser, requests)
    return results, invoice, client


def _open_invoice_results(organization: Organization, browser: HttpClient, requests: int) -> list[Result]:
    """The page and PDF of the oldest open invoice in euro: both draw its payment QR code."""
    from django.urls import reverse

    from invoices.epc import credit_transfer
    from invoices.models import OPEN_STATUSES, BillingProfile, Invoice
    from invoices.pdf import invoice_pdf

    invoice = (
        Invoice.objects.filter(organization=organization, status__in=OPEN_STATUSES, currency="EUR", balance_due__gt=0)
        .order_by("id")
        .first()
    )
    if invoice is None or credit_transfer(invoice, BillingProfile.objects.get(organization=organization)) is None:
        raise SystemExit("No open invoice with a payment QR code: rebuild the data (without --reuse).")
    url = reverse("invoices:invoice_detail", args=[invoice.pk])
    return [
        measure(
            f"Open invoice with QR ({invoice.number})", "detail", functools.partial(_fetch, browser, url), requests
        ),
        measure("Its PDF with QR, rendered", "pdf", lambda: invoice_pdf(invoice), PDF_RUNS),
    ]


# --- reporting --------------------------------------------------------------------------------


def print_environment(params: dict[str, Any]) -> None:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone() or ("?",)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"PostgreSQL {version} at {params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{params['NAME']}")
    print(f"Cache and sessions: {cache}{' (REDIS_URL)' if os.environ.get('REDIS_URL') else ''}")
    print(
        f"CPUs: {os.cpu_count()} (usable by this process: {affinity}) · {platform.machine()} · "
        f"Python {platform.python_version()} · Django {django.get_version()}"
    )
    if hasattr(os, "getloadavg"):  # other work on the machine slows every row down
        print("Load average (1, 5, 15 min) before measuring: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


def print_counts(organization: Organization) -> None:
    from django.db.models import Count

    from core.models import AuditEvent, Membership
    from invoices.models import Client, DocumentSequence, Invoice, InvoiceItem, Payment

    invoices = Invoice.all_objects.filter(organization=organization)
    counts = [
        ("clients", Client.objects.filter(organization=organization).count()),
        ("invoices", invoices.count()),
        ("invoice lines", InvoiceItem.objects.filter(organization=organization).count()),
        ("payments", Payment.all_objects.filter(organization=organization).count()),
        ("document sequences", DocumentSequence.objects.filter(organization=organization).count()),
        ("audit events", AuditEvent.objects.filter(organization=organization).count()),
    ]
    owners = Membership.objects.filter(organization=organization).count()
    print(f"Rows: 1 organisation with {owners} owner, " + ", ".join(f"{count:,} {label}" for label, count in counts))
    statuses = invoices.values("status").annotate(n=Count("id")).order_by("-n")
    total = max(1, counts[1][1])
    print(
        "Invoice statuses: " + ", ".join(f"{row['status']} {row['n']:,} ({row['n'] / total:.0%})" for row in statuses)
    )


def _mark(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_table(results: Sequence[Result], requests: int) -> None:
    header = f"{'page':<36} {'median ms':>9} {'p95 ms':>8} {'queries':>7}  {'seed target':<12} {'seed':<4}  "
    header += f"{'10x goal':<9} goal met"
    print()
    print(header)
    print("-" * len(header))
    for result in results:
        seed_ms, goal_ms = TARGETS_MS[result.kind]
        queries = len(result.queries)
        within_budget = queries <= QUERY_BUDGET
        seed_ok = result.p95 < seed_ms and within_budget
        if result.p95 < goal_ms and within_budget:
            goal = "yes"
        elif result.median < goal_ms and within_budget:
            goal = "median"
        else:
            goal = "NO"
        budget = "" if within_budget else " !"
        print(
            f"{result.label:<36} {result.median:>9.1f} {result.p95:>8.1f} {queries:>5}{budget:<2}  "
            f"{'< ' + _ms(seed_ms):<12} {_mark(seed_ok):<4}  {'< ' + _ms(goal_ms):<9} {goal}"
        )
    print()
    print(
        f"Times are server time in-process (Django test client, no network): {requests} timed requests a page, "
        f"{PDF_RUNS} per PDF row, after {WARMUPS} warm-ups; p95 is nearest-rank."
    )
    print(
        "Seed targets: list < 500 ms, detail < 800 ms, PDF < 2 s, at most "
        f"{QUERY_BUDGET} queries a request (the test suite's budget; '!' marks a row over it)."
    )
    print(
        "Our goal, 10x better: list < 50 ms, detail < 80 ms, PDF < 200 ms. 'yes': the p95 meets it; "
        "'median': only the median does; 'NO': neither (or over the query budget)."
    )


def _ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


def print_slowest_queries(results: Sequence[Result]) -> None:
    print()
    print("Slowest SQL query of each row (from the counted request; Django times queries to the ms):")
    for result in results:
        query = result.slowest_query
        if query is None:
            print(f"  {result.label}: no queries")
            continue
        sql = " ".join(query["sql"].split())
        missed = result.p95 >= TARGETS_MS[result.kind][1]
        shown = sql if missed else (sql[:150] + ("…" if len(sql) > 150 else ""))
        print(f"  {result.label}: {float(query['time']) * 1000:.1f} ms: {shown}")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    params = configure_environment()
    django.setup()

    print(f"Smart Invoice benchmark: invoice pages on {args.invoices:,} invoices and {args.payments:,} payments")
    data = reusable_data(args.reuse, params, lambda: existing_data(args))
    if data is None:
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        started = perf_counter()
        data = build(args)
        built = perf_counter() - started
        print(f"Built the data in {built:.1f} s (seed {SEED}, batches of {BATCH:,}); VACUUM ANALYZE", end="")
        print(f" {analyze():.1f} s.")
    organization, user = data
    print_environment(params)
    print_counts(organization)

    results, invoice, client = run_measurements(organization, user, args.requests)
    print()
    print(
        f"Pages: invoice {invoice.number} ({invoice.items.count()} lines, {invoice.payments.count()} payments); "
        f"client {client.name!r} ({client.invoices.count():,} invoices)."
    )
    print_table(results, args.requests)
    print_slowest_queries(results)
    print()
    print(f"Whole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
