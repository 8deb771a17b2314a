"""Server time of the dashboard's overview and tabs, the transactions screen, and every chart's
JSON and table on a million bank transactions.

What it measures: one organisation with 1,000,000 booked bank transactions over three years on
five EUR accounts (about 2,000 counterparties: customers paying in, suppliers, ten employees'
salaries, rent, subscriptions, card payments, taxes and transfers between its own accounts),
50,000 invoices of 2,000 clients and 20,000 bills, in PostgreSQL. Then, in-process through
Django's test client (no network, no web server), the median and 95th percentile server time
and the SQL query count of the overview (the home page: key figures, what needs attention), of
each tab (its filters and a section per chart), of the transactions screen (its first page, and
a search for a supplier's payments over the last 90 days), of each chart's JSON (its data and
plotly figure) and of each chart's table (`<name>.html`, which a tab's script loads after the
JSON):

* cold: the dashboard's cached aggregations are gone (the cache is cleared, then the session,
  memberships and banners are cached again by an untimed request to another page, as for a user
  in the middle of a visit), so every figure is computed from the rollups and billing tables;
* precomputed (the overview's second row): cold, except that the task every data-version bump
  queues (dashboards.tasks) has run, untimed, before the request, as for a member's first
  request after new data once the background worker is done;
* warm: the same request repeated, served from the cache.

The goal is a cold p95 under 100 ms and a warm p95 under 10 ms. In the same run it times the
hand-written SQL that aggregates the rollups the way the page's charts do (flows per month,
categories, the key figures' months, the daily balances and the top counterparties), the floor
for the page, and prints the ratio of the page's cold p95 to it, and of the whole dashboard's.

The data is loaded fast, but as the services would store it: invoices, payments and clients by
`bench.invoices.build`, the transactions with COPY (every column filled, raw JSON and digest as
the sync stores them), then the project's own code does the rest and is timed: category rules
applied by `categories.recategorize`, rollups by `rollups.rebuild`, recurring flows by
`recurring.detect`, and `reconciliation.reconcile` over the last 2,000 incoming transactions.

Run it by hand, never from the test suite::

    make bench-dashboards
    make bench-dashboards BENCH_ARGS="--reuse"                 # keep the data of the previous run
    make bench-dashboards BENCH_ARGS="--transactions 100000 --invoices 5000 --bills 2000 --requests 10"
    make bench-dashboards BENCH_ARGS="--reuse --explain"       # EXPLAIN ANALYZE of slow cold rows
    make bench-dashboards BENCH_ARGS="--reuse --only overview" # time only the rows naming "overview"

It DROPS and re-creates the database named by ``BENCH_DASHBOARDS_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench_dashboards``; its name must contain
"bench"). The cache is Redis at ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/5``, a
database the bench FLUSHES before every cold request) when it answers, else in-process memory;
set ``BENCH_REDIS_URL=`` (empty) for the latter. ``REDIS_URL`` itself is ignored, so a shared
Redis is never flushed.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib
import io
import json
import math
import os
import random
import sys
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any

import django

from bench.environment import bench_database, use_quiet_development_settings
from bench.invoices import (
    BENCH_EMAIL,
    BENCH_SLUG,
    CLIENTS,
    NAME_PARTS,
    SEED,
    WARMUPS,
    analyze,
    migrate,
    percentile,
    print_environment,
    recreate_database,
    reusable_data,
)
from bench.invoices import build as build_billing

if TYPE_CHECKING:
    from django.test import Client as HttpClient

    from banking.models import BankAccount
    from core.models import Organization, User
    from integrations.models import Connection

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench_dashboards"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
YEARS = 3
COPY_ROWS = 100_000  # transactions per COPY statement
RECONCILE_ROWS = 2_000  # the newest incoming transactions reconciliation looks at
BALANCE_FLOOR_CENTS = 2_500_000  # no account's end-of-day balance drops below 25,000.00
COLD_GOAL_MS = 100.0
WARM_GOAL_MS = 10.0

# Counterparties: customers are bench.invoices' clients (those that pay by bank), the rest is here.
PAYING_CLIENTS = 1_500
SUPPLIERS = 300
MERCHANTS = 150
CUSTOMER_SHARE, SUPPLIER_SHARE = 0.40, 0.22  # of the transactions that are not fixed flows; cards the rest

SUPPLIER_KINDS = [
    "Drukkerij",
    "Metaalwerken",
    "Elektro",
    "Schoonmaak",
    "IT Services",
    "Koeriersdienst",
    "Houthandel",
    "Kantoorbenodigdheden",
    "Verpakkingen",
    "Catering",
    "Boekhoudkantoor",
    "Advocatenkantoor",
]
MERCHANT_BRANDS = [
    "Colruyt",
    "Delhaize",
    "Carrefour",
    "Shell",
    "TotalEnergies",
    "Q8",
    "SNCB NMBS",
    "Exki",
    "Hema",
    "Action",
    "Brico",
    "MediaMarkt",
    "Coolblue",
    "Amazon EU",
    "Bol.com",
    "Booking.com",
    "Uber",
    "Interparking",
    "Le Pain Quotidien",
    "Fnac",
]
MERCHANT_CITIES = ["Brussel", "Antwerpen", "Gent", "Leuven", "Liège", "Namur", "Brugge", "Mechelen", "Hasselt", "Mons"]
EMPLOYEES = [
    "Jan Peeters",
    "Sofie Janssens",
    "Pieter Maes",
    "Lotte Jacobs",
    "Thomas Mertens",
    "Julie Willems",
    "Wout Claes",
    "Emma Goossens",
    "Arne Wouters",
    "Nora Dubois",
]
SUBSCRIPTIONS = [
    ("Microsoft Ireland", 24_960),
    ("Google Cloud EMEA", 13_450),
    ("Slack Technologies", 8_750),
    ("Atlassian", 15_200),
    ("Adobe Systems", 6_049),
    ("Proximus", 18_990),
    ("Telenet Business", 9_900),
    ("Dropbox International", 2_400),
    ("Zoom Video", 1_599),
    ("GitHub", 4_200),
    ("Notion Labs", 1_000),
    ("Canva", 1_199),
    ("Mailchimp", 4_500),
    ("HubSpot", 49_900),
    ("Ethias Verzekeringen", 31_200),
    ("Securex", 22_650),
    ("Luminus", 41_300),
    ("Farys Water", 5_600),
    ("Lease Plan", 68_900),
    ("Sodexo", 12_000),
]
LANDLORD = "Vastgoed Kunstberg NV"
RENT_CENTS = 485_000
SOCIAL_SECURITY = "RSZ - ONSS"
VAT_OFFICE = "FOD Financiën - BTW"
CORPORATE_TAX = "FOD Financiën - Vennootschapsbelasting"
OWN_NAME = "Bench BV"
BANK_NAME = "Bench Bank"

# name, IBAN seed, what the account is for
ACCOUNTS = [
    ("Current account", 3_630_000_001, "main"),
    ("Second current account", 3_630_000_002, "second"),
    ("Card account", 3_630_000_003, "cards"),
    ("Savings account", 3_630_000_004, "savings"),
    ("Tax reserve", 3_630_000_005, "taxes"),
]

# position, category, field, operator, value, amount from, amount to (cents): the first match wins
RULES: list[tuple[str, str, str, str, int | None, int | None]] = [
    ("Salaries", "remittance_information", "contains", "salary", None, -1),
    ("Social security", "counterpart_name", "contains", "RSZ", None, None),
    ("Taxes", "counterpart_name", "contains", "FOD Financi", None, None),
    ("Rent", "counterpart_name", "contains", "Vastgoed", None, None),
    ("Subscriptions", "remittance_information", "contains", "subscription", None, None),
    ("Internal transfers", "remittance_information", "contains", "internal transfer", None, None),
    ("Card payments", "remittance_information", "contains", "card payment", None, None),
    ("Sales", "", "contains", "", 1, None),
    ("Purchases", "remittance_information", "contains", "invoice", None, -1),
]

# The columns COPY fills; every other column of the table must have a default or be the id.
COPY_COLUMNS = [
    "organization_id",
    "connection_id",
    "account_id",
    "external_id",
    "status",
    "value_date",
    "execution_date",
    "amount",
    "currency",
    "counterpart_name",
    "counterpart_iban",
    "remittance_information",
    "remittance_information_type",
    "bank_transaction_code",
    "description",
    "category",
    "raw",
    "raw_digest",
    "created_at",
    "updated_at",
]


# --- arguments and environment --------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--transactions", type=int, default=1_000_000, help="booked bank transactions (default 1000000)"
    )
    parser.add_argument("--invoices", type=int, default=50_000, help="invoices to build (default 50000)")
    parser.add_argument("--bills", type=int, default=20_000, help="bills to build (default 20000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per row, cold and warm (default 30)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database when it already holds this data set"
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of every row that misses a goal"
    )
    parser.add_argument(
        "--only",
        metavar="TEXT",
        default="",
        help="time only the rows whose label contains TEXT (case-insensitive), e.g. --only overview",
    )
    args = parser.parse_args(argv)
    if args.transactions < 20_000 or args.invoices < 100 or args.bills < 100 or args.requests < 1:
        parser.error("at least 20000 transactions, 100 invoices, 100 bills and 1 request")
    return args


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def configure_environment() -> dict[str, Any]:
    """Point Django at the bench database and cache, quietly, in development mode; before settings load."""
    url, params = bench_database("BENCH_DASHBOARDS_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.pop("REDIS_URL", None)
    if redis_url and redis_answers(redis_url):
        os.environ["REDIS_URL"] = redis_url
    elif redis_url:
        print(f"Redis at {redis_url} does not answer: the cache is in this process's memory.")
    use_quiet_development_settings(url)
    return params


def existing_data(args: argparse.Namespace) -> tuple[Organization, User] | None:
    """The bench organisation and user, if the database holds exactly the requested data set."""
    from banking.models import BankTransaction, Bill
    from core.models import Organization, User
    from dashboards.models import DailyRollup
    from invoices.models import Invoice

    organization = Organization.objects.filter(slug=BENCH_SLUG).first()
    user = User.objects.filter(email=BENCH_EMAIL).first()
    if organization is None or user is None or not DailyRollup.objects.filter(organization=organization).exists():
        return None
    counts = (
        BankTransaction.objects.filter(organization=organization).count(),
        Invoice.all_objects.filter(organization=organization).count(),
        Bill.objects.filter(organization=organization).count(),
    )
    return (organization, user) if counts == (args.transactions, args.invoices, args.bills) else None


# --- counterparties and accounts -------------------------------------------------------------


def belgian_iban(number: int) -> str:
    """A valid Belgian IBAN for a ten-digit account number (its two check digits, then mod 97)."""
    account = number % 10**10
    bban = f"{account:010d}{account % 97 or 97:02d}"
    return f"BE{98 - int(bban + '111400') % 97:02d}{bban}"


@dataclass(frozen=True)
class Party:
    name: str
    iban: str
    code: str = ""


@dataclass
class Parties:
    customers: list[Party]  # index i: the client of that index among PAYING_CLIENTS
    suppliers: list[Party]
    merchants: list[str]
    employees: list[Party]
    landlord: Party
    subscriptions: list[tuple[Party, int, int]]  # party, cents, day of the month
    social_security: Party
    vat_office: Party
    corporate_tax: Party


def make_parties(rng: random.Random, client_names: Sequence[str]) -> Parties:
    suppliers: list[Party] = []
    names = [
        f"{kind} {surname} {city}" for kind in SUPPLIER_KINDS for surname in NAME_PARTS[1] for city in MERCHANT_CITIES
    ]
    for n, name in enumerate(rng.sample(names, SUPPLIERS)):
        suffix = rng.choice(NAME_PARTS[2])
        suppliers.append(Party(f"{name} {suffix}", belgian_iban(7_000_000_000 + n * 7919), f"S{n + 1:04d}"))
    merchants = rng.sample([f"{brand} {city}" for brand in MERCHANT_BRANDS for city in MERCHANT_CITIES], MERCHANTS)
    return Parties(
        customers=[Party(name, belgian_iban(5_000_000_000 + n * 104_729)) for n, name in enumerate(client_names)],
        suppliers=suppliers,
        merchants=merchants,
        employees=[Party(name, belgian_iban(6_300_000_000 + n * 31)) for n, name in enumerate(EMPLOYEES)],
        landlord=Party(LANDLORD, belgian_iban(1_430_000_017)),
        subscriptions=[
            (Party(name, belgian_iban(3_100_000_000 + n * 97)), cents, rng.randint(1, 28))
            for n, (name, cents) in enumerate(SUBSCRIPTIONS)
        ],
        social_security=Party(SOCIAL_SECURITY, belgian_iban(6_790_000_020)),
        vat_office=Party(VAT_OFFICE, belgian_iban(6_792_000_046)),
        corporate_tax=Party(CORPORATE_TAX, belgian_iban(6_792_000_047)),
    )


# --- the bank history --------------------------------------------------------------------------


@dataclass
class Flow:
    """One booked transaction to be: the account by role, signed cents, who and why."""

    role: str
    cents: int
    party: Party
    remittance: str = ""
    structured: bool = False
    code: str = "PMNT-RCDT-ESCT"
    description: str = "Credit transfer"


@dataclass
class History:
    """The plan of every transaction, by day; customers, suppliers and cards are drawn per day."""

    days: list[datetime.date]
    fixed: dict[datetime.date, list[Flow]] = field(default_factory=lambda: defaultdict(list))
    customers: Counter[datetime.date] = field(default_factory=Counter)
    suppliers: Counter[datetime.date] = field(default_factory=Counter)
    cards: Counter[datetime.date] = field(default_factory=Counter)

    @property
    def fixed_count(self) -> int:
        return sum(len(flows) for flows in self.fixed.values())


def _business_day_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _business_day_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _months(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _transfer(history: History, day: datetime.date, source: str, target: str, cents: int, what: str) -> None:
    """Money between two of the organisation's own accounts: a row on each."""
    ibans = {role: belgian_iban(seed) for _, seed, role in ACCOUNTS}
    text = f"Internal transfer {what}"
    history.fixed[day].append(Flow(source, -cents, Party(OWN_NAME, ibans[target]), text))
    history.fixed[day].append(Flow(target, cents, Party(OWN_NAME, ibans[source]), text))


def plan_fixed(rng: random.Random, history: History, parties: Parties) -> None:
    """Salaries, rent, subscriptions, social security, taxes, interest and transfers, by the calendar.
    The card account's monthly top-up is added while writing, when the month's card spend is known."""
    first, today = history.days[0], history.days[-1]

    def add(day: datetime.date, flow: Flow) -> None:
        if first <= day <= today:
            history.fixed[day].append(flow)

    salaries = [rng.randint(280_000, 460_000) for _ in parties.employees]
    for month in _months(first, today):
        period = f"{month:%Y-%m}"
        raise_factor = 1.02 ** (month.year - first.year)
        payday = _business_day_on_or_before(month.replace(day=25))
        for employee, cents in zip(parties.employees, salaries, strict=True):
            add(payday, Flow("main", -round(cents * raise_factor), employee, f"Salary {period}"))
        payroll = sum(salaries) * raise_factor
        add(
            _business_day_on_or_after(month.replace(day=5)),
            Flow(
                "main",
                -round(payroll * rng.uniform(0.33, 0.37)),
                parties.social_security,
                f"Contributions {period}",
                code="PMNT-ICDT-ESCT",
            ),
        )
        opening = _business_day_on_or_after(month)
        add(
            opening,
            Flow("main", -RENT_CENTS, parties.landlord, f"Rent office Kunstlaan 1 {period}", code="PMNT-ICDT-ESCT"),
        )
        for party, cents, day_of_month in parties.subscriptions:
            add(
                _business_day_on_or_after(month.replace(day=day_of_month)),
                Flow(
                    "main",
                    -cents,
                    party,
                    f"Subscription {party.name} {period}",
                    code="PMNT-RDDT-ESDD",
                    description="Direct debit",
                ),
            )
        if first <= opening <= today:
            _transfer(history, opening, "main", "taxes", rng.randint(45_000, 60_000) * 100, "to tax reserve")
        if month.month in (1, 4, 7, 10):
            quarter = (month.month - 2) // 3 % 4 + 1
            vat_day = _business_day_on_or_before(month.replace(day=20))
            add(
                vat_day,
                Flow(
                    "taxes",
                    -rng.randint(90_000, 140_000) * 100,
                    parties.vat_office,
                    f"VAT return Q{quarter}",
                    structured=True,
                    code="PMNT-ICDT-ESCT",
                ),
            )
            add(
                _business_day_on_or_before(month.replace(day=10)),
                Flow(
                    "taxes",
                    -rng.randint(35_000, 45_000) * 100,
                    parties.corporate_tax,
                    f"Advance payment {month.year}",
                    structured=True,
                    code="PMNT-ICDT-ESCT",
                ),
            )
            if first <= opening <= today:
                _transfer(history, opening, "main", "savings", 100_000 * 100, "to savings")
            add(
                opening,
                Flow(
                    "savings",
                    rng.randint(800, 2_500) * 100,
                    Party(BANK_NAME, ""),
                    "Interest",
                    code="ACMT-MCOP-INTR",
                    description="Interest",
                ),
            )


def plan_history(rng: random.Random, parties: Parties, transactions: int, today: datetime.date) -> History:
    days = [today - datetime.timedelta(days=n) for n in range(365 * YEARS - 1, -1, -1)]
    history = History(days)
    plan_fixed(rng, history, parties)
    # The card top-ups: two rows a month, written later.
    top_ups = sum(1 for day in days if day == _business_day_on_or_after(day.replace(day=1))) * 2
    drawn = transactions - history.fixed_count - top_ups
    if drawn < transactions // 2:
        raise SystemExit(f"{transactions:,} transactions are too few for {YEARS} years of fixed flows")

    def weights(weekdays: Sequence[float]) -> list[float]:
        # Weekdays heavier, and a business that grows by half over the years.
        return [weekdays[day.weekday()] * (1 + 0.5 * n / len(days)) for n, day in enumerate(days)]

    transfers = weights([1.15, 1.0, 1.0, 1.0, 1.1, 0.03, 0.02])
    customers = round(drawn * CUSTOMER_SHARE)
    suppliers = round(drawn * SUPPLIER_SHARE)
    history.customers.update(rng.choices(days, transfers, k=customers))
    history.suppliers.update(rng.choices(days, transfers, k=suppliers))
    history.cards.update(
        rng.choices(days, weights([1.0, 1.0, 1.0, 1.0, 1.1, 0.6, 0.2]), k=drawn - customers - suppliers)
    )
    return history


@dataclass
class Invoices:
    """The references and numbers customers quote, per client index; open invoices for the newest payments."""

    by_client: dict[int, list[tuple[str, str]]]
    open: list[tuple[int, str, int]]  # client index, reference, balance due in cents


def load_invoices(organization: Organization, client_ids: Sequence[int], paying: int) -> Invoices:
    from invoices.models import Invoice
    from invoices.models.invoices import OPEN_STATUSES

    index = {pk: n for n, pk in enumerate(client_ids)}
    by_client: dict[int, list[tuple[str, str]]] = defaultdict(list)
    open_invoices = []
    rows = Invoice.objects.filter(organization=organization).exclude(status="draft").order_by("pk")
    for client_id, reference, number, status, balance in rows.values_list(
        "client_id", "payment_reference", "number", "status", "balance_due"
    ):
        by_client[index[client_id]].append((reference, number))
        if status in OPEN_STATUSES and balance > 0 and index[client_id] < paying:
            open_invoices.append((index[client_id], reference, int(balance * 100)))
    return Invoices(by_client, open_invoices)


def _structured(reference: str) -> str:
    return f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++"


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


class Writer:
    """Draws the day's customer, supplier and card transactions and renders every row for COPY."""

    def __init__(
        self,
        rng: random.Random,
        parties: Parties,
        invoices: Invoices,
        ids: dict[str, Any],
        today: datetime.date,
        now: datetime.datetime,
    ) -> None:
        self.rng, self.parties, self.invoices, self.ids, self.today = rng, parties, invoices, ids, today
        self.latest = now - datetime.timedelta(hours=1)  # older than reconciliation's settle time
        paying = len(parties.customers)
        self.customer_weights = list(_cumulative([1 / math.sqrt(rank + 1) for rank in range(paying)]))
        self.supplier_weights = list(_cumulative([1 / (rank + 1) ** 0.7 for rank in range(SUPPLIERS)]))
        self.open = list(invoices.open)
        rng.shuffle(self.open)
        self.card_spend: Counter[datetime.date] = Counter()
        self.serial = 0

    def customer(self, day: datetime.date) -> Flow:
        rng = self.rng
        # The last week's payments: some pay an open invoice exactly, quoting its reference.
        if (self.today - day).days < 7 and self.open and rng.random() < 0.15:
            client, reference, cents = self.open.pop()
            return Flow(self._home(client), cents, self.parties.customers[client], _structured(reference), True)
        client = rng.choices(range(len(self.parties.customers)), cum_weights=self.customer_weights)[0]
        cents = max(2_000, round(rng.lognormvariate(math.log(380), 1.0) * 100))
        quoted = self.invoices.by_client.get(client)
        roll = rng.random()
        if quoted and roll < 0.45:
            return Flow(
                self._home(client), cents, self.parties.customers[client], _structured(rng.choice(quoted)[0]), True
            )
        if quoted and roll < 0.80:
            return Flow(self._home(client), cents, self.parties.customers[client], f"Invoice {rng.choice(quoted)[1]}")
        text = rng.choice(["Payment", "Betaling", "Paiement facture", ""])
        return Flow(self._home(client), cents, self.parties.customers[client], text)

    @staticmethod
    def _home(client: int) -> str:
        return "main" if client % 5 < 3 else "second"

    def supplier(self, day: datetime.date) -> Flow:
        rng = self.rng
        supplier = self.parties.suppliers[rng.choices(range(SUPPLIERS), cum_weights=self.supplier_weights)[0]]
        cents = max(500, round(rng.lognormvariate(math.log(600), 1.0) * 100))
        text = f"Invoice {supplier.code}-{day.year}{rng.randrange(100_000):05d}"
        return Flow("main" if rng.random() < 0.75 else "second", -cents, supplier, text, code="PMNT-ICDT-ESCT")

    def card(self, day: datetime.date) -> Flow:
        merchant = self.rng.choice(self.parties.merchants)
        cents = max(150, round(self.rng.lognormvariate(math.log(35), 0.9) * 100))
        self.card_spend[day.replace(day=1)] += cents
        text = f"Card payment {merchant} card 4871 {day:%d/%m}"
        return Flow("cards", -cents, Party(merchant, ""), text, code="PMNT-CCRD-POSD", description="Card payment")

    def top_up(self, history: History, day: datetime.date) -> None:
        """On a month's first business day, the main account covers the last month's card spend."""
        if day != _business_day_on_or_after(day.replace(day=1)):
            return
        last_month = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        cents = self.card_spend.get(last_month) or 250_000
        _transfer(history, day, "main", "cards", cents, "to card account")

    def rows(self, history: History, day: datetime.date) -> Iterator[str]:
        self.top_up(history, day)
        flows = list(history.fixed.get(day, []))
        flows += [self.customer(day) for _ in range(history.customers[day])]
        flows += [self.supplier(day) for _ in range(history.suppliers[day])]
        flows += [self.card(day) for _ in range(history.cards[day])]
        self.rng.shuffle(flows)
        stamp = min(
            datetime.datetime.combine(day, datetime.time(20), tzinfo=self.latest.tzinfo), self.latest
        ).isoformat()
        for flow in flows:
            yield self.render(flow, day, stamp)

    def render(self, flow: Flow, day: datetime.date, stamp: str) -> str:
        self.serial += 1
        external_id = f"bench-tx-{self.serial:08d}"
        raw = json.dumps({"id": external_id}, sort_keys=True)
        kind = "structured" if flow.structured else ("unstructured" if flow.remittance else "")
        fields = [
            self.ids["organization"],
            self.ids["connection"],
            self.ids[flow.role],
            external_id,
            "booked",
            day.isoformat(),
            day.isoformat(),
            _money(flow.cents),
            "EUR",
            flow.party.name,
            flow.party.iban,
            flow.remittance,
            kind,
            flow.code,
            flow.description,
            "",
            raw,
            hashlib.sha256(raw.encode()).hexdigest(),
            stamp,
            stamp,
        ]
        return "\t".join(str(value) for value in fields) + "\n"


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


@dataclass
class CopyTiming:
    rows: int = 0
    generate_seconds: float = 0.0
    copy_seconds: float = 0.0


def copy_transactions(history: History, writer: Writer) -> CopyTiming:
    """Every planned transaction, in date order (ids follow the dates, as syncs leave them), by COPY."""
    from django.db import connection
    from django.db.models.fields import NOT_PROVIDED

    from banking.models import BankTransaction

    table = BankTransaction._meta.db_table
    # The database fills the id, generated columns and columns with a database default itself.
    columns = {
        f.column
        for f in BankTransaction._meta.concrete_fields
        if not (f.primary_key or f.generated or f.db_default is not NOT_PROVIDED)
    }
    if columns != set(COPY_COLUMNS):
        raise SystemExit(f"BankTransaction's columns changed: COPY does not fill {sorted(columns - set(COPY_COLUMNS))}")
    statement = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
    timing = CopyTiming()
    connection.ensure_connection()
    raw: Any = connection.connection
    lines: list[str] = []

    def flush() -> None:
        started = perf_counter()
        with raw.cursor() as cursor:
            cursor.copy_expert(statement, io.StringIO("".join(lines)))
        raw.commit()
        timing.copy_seconds += perf_counter() - started
        timing.rows += len(lines)
        lines.clear()

    started = perf_counter()
    for day in history.days:
        lines.extend(writer.rows(history, day))
        if len(lines) >= COPY_ROWS:
            flush()
    if lines:
        flush()
    timing.generate_seconds = perf_counter() - started - timing.copy_seconds
    return timing


# --- building ---------------------------------------------------------------------------------


def create_banking(organization: Organization, user: User) -> tuple[Connection, Connection, dict[str, BankAccount]]:
    from django.utils import timezone

    from banking.models import BankAccount
    from integrations.models import Connection, ConnectionStatus, Provider

    now = timezone.now()
    ponto = Connection.objects.create(
        organization=organization,
        provider=Provider.PONTO,
        status=ConnectionStatus.ACTIVE,
        display_name="Bench Bank (Ponto)",
        external_id="bench-ponto-org",
        created_by=user,
        last_attempt_at=now,
        last_success_at=now,
        consent_expires_at=now + datetime.timedelta(days=80),
    )
    yuki = Connection.objects.create(
        organization=organization,
        provider=Provider.YUKI,
        status=ConnectionStatus.ACTIVE,
        display_name="Bench BV administration (Yuki)",
        external_id="bench-yuki-admin",
        created_by=user,
        last_attempt_at=now,
        last_success_at=now,
    )
    accounts = {
        role: BankAccount.objects.create(
            organization=organization,
            connection=ponto,
            external_id=f"bench-account-{role}",
            iban=belgian_iban(seed),
            currency="EUR",
            name=name,
            holder_name=OWN_NAME,
            subtype="checking",
            current_balance_date=now,
            synchronized_at=now,
        )
        for name, seed, role in ACCOUNTS
    }
    return ponto, yuki, accounts


def create_client_accounts(organization: Organization, client_ids: Sequence[int], parties: Parties) -> None:
    from invoices.models import ClientBankAccount

    ClientBankAccount.objects.bulk_create(
        ClientBankAccount(organization=organization, client_id=client_id, iban=party.iban)
        for client_id, party in zip(client_ids, parties.customers, strict=False)
    )


def create_bills(
    rng: random.Random, organization: Organization, yuki: Connection, parties: Parties, count: int, today: datetime.date
) -> None:
    """Bills over the years, from the suppliers the bank pays; about a tenth still open, most of
    them recent, the rest spread over every aging bucket."""
    from banking.models import Bill

    days = 365 * YEARS
    dates = sorted(today - datetime.timedelta(days=rng.randrange(days)) for _ in range(count))
    recent = [n for n, date in enumerate(dates) if (today - date).days < 45]
    older = [n for n, date in enumerate(dates) if 45 <= (today - date).days < 400]
    open_bills = set(recent[: count // 10]) | set(rng.sample(older, min(len(older), max(0, count // 10 - len(recent)))))
    bills = []
    for n, date in enumerate(dates):
        supplier = parties.suppliers[min(int(rng.paretovariate(1.2)) - 1, SUPPLIERS - 1)]
        due = date + datetime.timedelta(days=rng.choice([14, 30, 30, 30, 60]))
        original = max(1_000, round(rng.lognormvariate(math.log(800), 0.9) * 100))
        bill = Bill(
            organization=organization,
            connection=yuki,
            external_id=f"bench-bill-{n + 1:06d}",
            supplier=supplier.name,
            supplier_code=supplier.code,
            reference=f"{supplier.code}-{date.year}{n:05d}",
            description="Purchase invoice",
            date=date,
            due_date=due,
            currency="EUR",
            original_amount=_decimal(original),
        )
        if n in open_bills:
            partly = rng.random() < 0.1
            bill.open_amount = _decimal(round(original * rng.uniform(0.2, 0.8)) if partly else original)
            bill.last_seen_on = today
        else:
            bill.settled_on = min(due + datetime.timedelta(days=rng.randint(-10, 20)), today)
            bill.open_amount = _decimal(0)
            bill.last_seen_on = bill.settled_on - datetime.timedelta(days=1)
        bills.append(bill)
    Bill.objects.bulk_create(bills, batch_size=5_000)


def _decimal(cents: int) -> Decimal:
    return Decimal(cents) / 100


def anchor_balances(organization: Organization) -> None:
    """Today's balance of each account: enough that no end of day over the years goes below the floor."""
    from django.db.models import Sum

    from banking.models import BankAccount, BankTransaction

    running: dict[int, Decimal] = defaultdict(Decimal)
    lowest: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, _, net in (
        BankTransaction.objects.filter(organization=organization)
        .values("account_id", "execution_date")
        .annotate(net=Sum("amount"))
        .order_by("account_id", "execution_date")
        .values_list("account_id", "execution_date", "net")
    ):
        running[account_id] += net
        lowest[account_id] = min(lowest[account_id], running[account_id])
    floor = _decimal(BALANCE_FLOOR_CENTS)
    for account_id, total in running.items():
        balance = floor + total - lowest[account_id]
        BankAccount.objects.filter(pk=account_id).update(current_balance=balance, available_balance=balance)


def create_rules(organization: Organization) -> None:
    from banking.models import CategoryRule

    CategoryRule.objects.bulk_create(
        CategoryRule(
            organization=organization,
            position=position,
            category=category,
            field=field_name,
            operator=operator,
            value=value,
            amount_min=None if low is None else _decimal(low),
            amount_max=None if high is None else _decimal(high),
        )
        for position, (category, field_name, operator, value, low, high) in enumerate(RULES)
    )


@dataclass
class Timed:
    label: str
    seconds: float
    detail: str = ""


def timed(label: str, action: Callable[[], Any], describe: Callable[[Any], str] = lambda _: "") -> Timed:
    started = perf_counter()
    result = action()
    return Timed(label, perf_counter() - started, describe(result))


def analyze_transactions() -> None:
    from django.db import connection

    from banking.models import BankTransaction

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(BankTransaction._meta.db_table)}")


def reconcile_newest(organization: Organization) -> Any:
    """Reconciliation of the newest RECONCILE_ROWS incoming transactions: the watermark just before them."""
    from banking import reconciliation
    from banking.models import BankTransaction
    from dashboards.models import DashboardState

    incoming = BankTransaction.objects.filter(organization=organization, status="booked", amount__gt=0)
    before = incoming.order_by("-id").values_list("id", flat=True)[RECONCILE_ROWS : RECONCILE_ROWS + 1]
    DashboardState.objects.update_or_create(
        organization=organization, defaults={"reconciled_through_id": next(iter(before), 0)}
    )
    return reconciliation.reconcile(organization.pk)


def build(args: argparse.Namespace) -> tuple[Organization, User, list[Timed]]:
    from django.utils import timezone

    from banking import categories, recurring
    from dashboards import rollups
    from dashboards.models import CounterpartyRollup, DailyRollup
    from invoices.models import Client

    steps: list[Timed] = []
    started = perf_counter()
    # Payments as many as invoices: most invoices paid (a few in two parts), a few thousand open.
    organization, user = build_billing(argparse.Namespace(invoices=args.invoices, payments=args.invoices))
    steps.append(Timed("clients, invoices, payments (bench.invoices.build)", perf_counter() - started))

    started = perf_counter()
    rng = random.Random(SEED + 1)
    today, now = timezone.localdate(), timezone.now()
    clients = list(Client.objects.filter(organization=organization).order_by("pk").values_list("pk", "name"))
    client_ids = [pk for pk, _ in clients][:PAYING_CLIENTS]
    parties = make_parties(rng, [name for _, name in clients][:PAYING_CLIENTS])
    create_client_accounts(organization, client_ids, parties)
    ponto, yuki, accounts = create_banking(organization, user)
    create_bills(rng, organization, yuki, parties, args.bills, today)
    create_rules(organization)
    steps.append(Timed("client IBANs, connections, accounts, bills, rules", perf_counter() - started))

    started = perf_counter()
    history = plan_history(rng, parties, args.transactions, today)
    ids = {"organization": organization.pk, "connection": ponto.pk} | {r: a.pk for r, a in accounts.items()}
    invoices = load_invoices(organization, [pk for pk, _ in clients], len(client_ids))
    writer = Writer(rng, parties, invoices, ids, today, now)
    planned = perf_counter() - started
    copied = copy_transactions(history, writer)
    anchor_balances(organization)
    steps.append(
        Timed(
            "bank transactions: drawn and rendered, then COPY",
            planned + copied.generate_seconds + copied.copy_seconds,
            f"{copied.rows:,} rows; generating {planned + copied.generate_seconds:.1f} s, COPY "
            f"{copied.copy_seconds:.1f} s ({copied.rows / copied.copy_seconds:,.0f} rows/s)",
        )
    )
    # Autovacuum analyzes a table soon after a bulk load; without it detect's plan is quadratic.
    steps.append(timed("ANALYZE of the transactions", analyze_transactions))
    steps.append(
        timed(
            f"categories.recategorize ({len(RULES)} rules, and its daily rollups)",
            lambda: categories.recategorize(organization.pk),
        )
    )
    steps.append(
        timed(
            "rollups.rebuild (daily and counterparty rollups)",
            lambda: rollups.rebuild(organization.pk),
            lambda _: (
                f"{DailyRollup.objects.filter(organization=organization).count():,} daily rows, "
                f"{CounterpartyRollup.objects.filter(organization=organization).count():,} counterparty-month rows"
            ),
        )
    )
    steps.append(timed("recurring.detect", lambda: recurring.detect(organization.pk), lambda n: f"{n} recurring flows"))
    steps.append(
        timed(
            f"reconciliation.reconcile of the newest {RECONCILE_ROWS:,} incoming transactions",
            lambda: reconcile_newest(organization),
            lambda r: f"{r.applied} applied, {r.suggested} suggested, {r.unmatched} unmatched",
        )
    )
    steps.append(timed("VACUUM ANALYZE", analyze))
    return organization, user, steps


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    url: str
    # What runs untimed before each cold request, after the cache is emptied: for the overview
    # "after the background precompute", the task a data-version bump queues.
    prepare: Callable[[], None] | None = None
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    cold_queries: list[dict[str, str]] = field(default_factory=list)
    warm_queries: list[dict[str, str]] = field(default_factory=list)

    @property
    def cold_p95(self) -> float:
        return percentile(self.cold, 95)

    @property
    def warm_p95(self) -> float:
        return percentile(self.warm, 95)

    @property
    def met(self) -> str:
        missed = [
            name
            for name, ok in [("cold", self.cold_p95 < COLD_GOAL_MS), ("warm", self.warm_p95 < WARM_GOAL_MS)]
            if not ok
        ]
        return "yes" if not missed else "NO (" + ", ".join(missed) + ")"


def fetch(browser: HttpClient, url: str) -> None:
    response = browser.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, not 200")


def measure(browser: HttpClient, row: Row, runs: int, forget_all: Callable[[], None]) -> Row:
    """`runs` cold requests (after `forget`), one more cold counting queries; then warm ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    def forget() -> None:
        forget_all()
        if row.prepare is not None:
            row.prepare()

    def sample(before: Callable[[], None] | None) -> float:
        if before is not None:
            before()
        started = perf_counter()
        fetch(browser, row.url)
        return (perf_counter() - started) * 1000

    with override_settings(DEBUG=False):  # no query log while timing, as in production
        for _ in range(WARMUPS):
            sample(forget)
        row.cold = [sample(forget) for _ in range(runs)]
    forget()
    with CaptureQueriesContext(connection) as captured:
        fetch(browser, row.url)
    row.cold_queries = list(captured.captured_queries)
    with override_settings(DEBUG=False):
        for _ in range(WARMUPS):
            sample(None)
        row.warm = [sample(None) for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        fetch(browser, row.url)
    row.warm_queries = list(captured.captured_queries)
    return row


def run_measurements(organization: Organization, user: User, runs: int, only: str = "") -> list[Row]:
    from django.core.cache import cache
    from django.test import Client as HttpClient
    from django.urls import reverse

    from core import tenancy
    from core.memory import memory
    from dashboards.charts import CHARTS
    from dashboards.tasks import precompute_open_items
    from dashboards.views.pages import PAGE_CHARTS, TABS

    # As a gunicorn worker starts: every view imported, the startup objects frozen out of the
    # garbage collector's sight.
    importlib.import_module("config.wsgi")
    tenancy.forget_memberships(user.pk)
    browser = HttpClient(HTTP_HOST="localhost")
    browser.force_login(user)
    other_page = reverse("banking:rules")

    def forget() -> None:
        """Empty the cache and this process's own copies (core.memory), then let another page
        cache the session, memberships and banners again."""
        cache.clear()
        memory.clear()
        fetch(browser, other_page)

    rows = [
        Row("Overview (home page)", reverse("home")),
        Row(
            "Overview, precomputed",
            reverse("home"),
            prepare=lambda: precompute_open_items(organization.pk),
        ),
    ]
    rows += [Row(f"{tab.name} tab", reverse(f"dashboards:{tab.name}")) for tab in TABS[1:]]
    rows += transaction_rows()
    rows += [Row(f"{name}.json", reverse("dashboards:chart_json", args=[name])) for name in CHARTS]
    rows += [Row(f"{name}.html (table)", reverse("dashboards:chart_details", args=[name])) for name in PAGE_CHARTS]
    rows = [row for row in rows if only.casefold() in row.label.casefold()]
    return [measure(browser, row, runs, forget) for row in rows]


# A word of the suppliers' names (SUPPLIER_KINDS): money out, found by the transactions' search.
SEARCH_WORD = "Drukkerij"


def transaction_rows() -> list[Row]:
    """The transactions screen's first page, a search for a counterparty's money out over the last
    90 days, and that search's totals; skipped, with a note, while the screen's URL does not exist."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    try:
        url = reverse("banking:transactions")
    except NoReverseMatch:
        print("The transactions screen (banking:transactions) does not exist yet: not measured.")
        return []
    since = timezone.localdate() - datetime.timedelta(days=90)
    search = urlencode({"q": SEARCH_WORD, "direction": "out", "date_from": since.isoformat()})
    totals = reverse("banking:transaction_totals")
    return [
        Row("Transactions, page 1", url),
        Row("Transactions, search", f"{url}?{search}"),
        # The search's totals, which the screen's script fetches after its rows.
        Row("Transactions, search totals", f"{totals}?{search}"),
    ]


# The rollup aggregates the page's charts make, as one would write them by hand.
RAW_SQL = {
    "flows per month": """
        SELECT date_trunc('month', day)::date, sum(inflow), sum(outflow), sum(count)
        FROM dashboards_dailyrollup
        WHERE organization_id = %(org)s AND account_id = ANY(%(accounts)s) AND day BETWEEN %(start)s AND %(end)s
        GROUP BY 1 ORDER BY 1""",
    "categories": """
        SELECT category, sum(inflow), sum(outflow), sum(count)
        FROM dashboards_dailyrollup
        WHERE organization_id = %(org)s AND account_id = ANY(%(accounts)s) AND day BETWEEN %(start)s AND %(end)s
        GROUP BY 1 ORDER BY 1""",
    "key figures' months": """
        SELECT date_trunc('month', day)::date, sum(inflow), sum(outflow)
        FROM dashboards_dailyrollup
        WHERE account_id = ANY(%(accounts)s) AND day BETWEEN %(burn_start)s AND %(end)s
        GROUP BY 1 ORDER BY 1""",
    "daily balances": """
        SELECT account_id, day, sum(inflow - outflow)
        FROM dashboards_dailyrollup
        WHERE account_id = ANY(%(accounts)s) AND day > %(start)s AND day <= %(end)s
        GROUP BY 1, 2 ORDER BY 1, 2""",
    "top counterparties": """
        SELECT counterparty, sum(inflow), sum(outflow), sum(count)
        FROM dashboards_counterpartyrollup
        WHERE account_id = ANY(%(accounts)s) AND month >= %(start)s AND month <= %(end)s
        GROUP BY 1""",
}


def raw_sql_samples(organization: Organization, runs: int) -> list[float]:
    from django.db import connection

    from banking.models import BankAccount
    from dashboards.figures.kpis import BURN_MONTHS
    from dashboards.filters import default_filters

    filters = default_filters()
    burn_start = filters.end.replace(day=1)
    for _ in range(BURN_MONTHS):
        burn_start = (burn_start - datetime.timedelta(days=1)).replace(day=1)
    params: dict[str, Any] = {
        "org": organization.pk,
        "accounts": list(
            BankAccount.objects.filter(organization=organization, included=True).values_list("pk", flat=True)
        ),
        "start": filters.start,
        "end": filters.end,
        "burn_start": burn_start,
    }

    def once() -> float:
        started = perf_counter()
        with connection.cursor() as cursor:
            for sql in RAW_SQL.values():
                cursor.execute(sql, params)
                cursor.fetchall()
        return (perf_counter() - started) * 1000

    for _ in range(WARMUPS):
        once()
    return [once() for _ in range(runs)]


# --- reporting --------------------------------------------------------------------------------


def print_counts(organization: Organization) -> None:
    from django.db.models import Count

    from banking.models import BankAccount, BankTransaction, Bill, Match, RecurringFlow
    from dashboards.models import CounterpartyRollup, DailyRollup
    from invoices.models import Client, Invoice, Payment

    transactions = BankTransaction.objects.filter(organization=organization)
    with_reference = transactions.filter(remittance_information_type="structured").count()
    counterparties = (
        CounterpartyRollup.objects.filter(organization=organization).values("counterparty").distinct().count()
    )
    total = transactions.count()
    print(
        f"Bank: {BankAccount.objects.filter(organization=organization).count()} accounts, {total:,} booked "
        f"transactions ({with_reference:,} with a structured reference), {counterparties:,} counterparties; "
        f"{DailyRollup.objects.filter(organization=organization).count():,} daily rollup rows, "
        f"{CounterpartyRollup.objects.filter(organization=organization).count():,} counterparty-month rows"
    )
    shares = transactions.values("category").annotate(n=Count("id")).order_by("-n")
    print("Categories: " + ", ".join(f"{r['category'] or 'uncategorised'} {r['n'] / total:.1%}" for r in shares))
    invoices = Invoice.all_objects.filter(organization=organization)
    statuses = invoices.values("status").annotate(n=Count("id")).order_by("-n")
    print(
        f"Billing: {Client.objects.filter(organization=organization).count():,} clients, {invoices.count():,} "
        f"invoices ({', '.join(_counted(statuses))}), "
        f"{Payment.all_objects.filter(organization=organization).count():,} payments"
    )
    bills = Bill.objects.filter(organization=organization)
    matches = Match.objects.filter(organization=organization).values("status").annotate(n=Count("id"))
    print(
        f"{bills.count():,} bills ({bills.open().count():,} open); "
        f"{RecurringFlow.objects.filter(organization=organization).count()} recurring flows; "
        f"reconciliation matches: {', '.join(_counted(matches)) or 'none'}"
    )


def _counted(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [f"{row['status']} {row['n']:,}" for row in rows]


def print_table(rows: Sequence[Row], runs: int) -> None:
    header = (
        f"{'request':<22} {'cold median':>11} {'cold p95':>9} {'queries':>7}   "
        f"{'warm median':>11} {'warm p95':>9} {'queries':>7}   goal met"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.label:<22} {_median(row.cold):>11.1f} {row.cold_p95:>9.1f} {len(row.cold_queries):>7}   "
            f"{_median(row.warm):>11.1f} {row.warm_p95:>9.1f} {len(row.warm_queries):>7}   {row.met}"
        )
    print()
    print(
        f"Milliseconds of server time in-process (Django test client, no network), {runs} timed requests each "
        f"after {WARMUPS} warm-ups; p95 is nearest-rank. Goal: cold p95 < {COLD_GOAL_MS:g} ms, warm p95 < "
        f"{WARM_GOAL_MS:g} ms. Cold: the cache emptied before each request (session and memberships cached "
        "again by another page); PostgreSQL's own buffers stay warm."
    )


def _median(samples: Sequence[float]) -> float:
    import statistics

    return statistics.median(samples)


def print_raw_sql(samples: Sequence[float], rows: Sequence[Row]) -> None:
    """The raw SQL's time against the page alone, and against the whole dashboard: the page, then
    every chart's JSON and table as its script asks for them, served one after the other."""
    p95 = percentile(samples, 95)
    page = rows[0]
    whole_median = sum(_median(row.cold) for row in rows)
    whole_p95 = sum(row.cold_p95 for row in rows)
    print()
    print(f"Raw SQL over the rollups ({len(RAW_SQL)} statements: {', '.join(RAW_SQL)}), the default 12 months:")
    print(
        f"  median {_median(samples):.1f} ms, p95 {p95:.1f} ms; the page's cold p95 ({page.cold_p95:.1f} ms) is "
        f"{page.cold_p95 / p95:.1f}x that, its cold median {_median(page.cold) / _median(samples):.1f}x."
    )
    print(
        f"  The whole dashboard cold, every request above one after the other (each table cold too, so its "
        f"data is computed twice): {whole_median:.0f} ms of medians, {whole_p95:.0f} ms of p95s, "
        f"{whole_median / _median(samples):.1f}x the raw SQL's median. The browser loads the sections side by side."
    )


def print_slowest_queries(rows: Sequence[Row]) -> None:
    print()
    print("Slowest SQL query of each cold request (Django times queries to the ms):")
    for row in rows:
        query = max(row.cold_queries, key=lambda q: float(q["time"]), default=None)
        if query is None:
            print(f"  {row.label}: no queries")
            continue
        sql = " ".join(query["sql"].split())
        total = sum(float(q["time"]) for q in row.cold_queries) * 1000
        shown = sql if row.cold_p95 >= COLD_GOAL_MS else sql[:160] + ("…" if len(sql) > 160 else "")
        print(f"  {row.label}: {float(query['time']) * 1000:.0f} ms of {total:.0f} ms in SQL: {shown}")


def print_explains(rows: Sequence[Row]) -> None:
    from django.db import connection

    for row in rows:
        if row.cold_p95 < COLD_GOAL_MS and row.warm_p95 < WARM_GOAL_MS:
            continue
        queries = sorted(row.cold_queries, key=lambda q: -float(q["time"]))[:2]
        for query in queries:
            print()
            print(f"EXPLAIN (ANALYZE, BUFFERS) of {row.label}'s {float(query['time']) * 1000:.0f} ms query:")
            print("  " + " ".join(query["sql"].split()))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    print(f"    {line}")


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    params = configure_environment()
    # authlib asks for the httpx2 fork (see bench.ponto_sync); static files are not collected here.
    importlib.import_module("authlib.deprecate")
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()

    from django.conf import settings

    print(
        f"Smart Invoice benchmark: the dashboards on {args.transactions:,} bank transactions, "
        f"{args.invoices:,} invoices and {args.bills:,} bills"
    )
    data = reusable_data(args.reuse, params, lambda: existing_data(args))
    if data is None:
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        started = perf_counter()
        organization, user, steps = build(args)
        print(f"Built the data in {perf_counter() - started:.1f} s (seed {SEED}, {CLIENTS:,} clients):")
        for step in steps:
            print(f"  {step.seconds:7.1f} s  {step.label}" + (f": {step.detail}" if step.detail else ""))
        data = organization, user
    organization, user = data
    print_environment(params)
    print(f"Cache: {settings.CACHES['default'].get('LOCATION') or 'this process (locmem)'}")
    print_counts(organization)

    rows = run_measurements(organization, user, args.requests, args.only)
    if not rows:
        raise SystemExit(f"No row's label contains {args.only!r}.")
    print_table(rows, args.requests)
    if not args.only:  # its ratios are of the page and of the whole dashboard
        print_raw_sql(raw_sql_samples(organization, args.requests), rows)
    print_slowest_queries(rows)
    if args.explain:
        print_explains(rows)
    print()
    print(f"Whole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
