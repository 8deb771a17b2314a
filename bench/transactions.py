"""Server time of the transactions screen on a million bank transactions, cold and warm.

The data set is bench.dashboards' own (one organisation, 1,000,000 booked transactions over three
years on five accounts, loaded with COPY), built by its `build` or reused from its database. Then,
in-process through Django's test client, the median and 95th percentile server time and the
query count of:

* the first page (no filter), and the next page through its cursor;
* a filtered search: a text (`q`), money out, the last 90 days;
* the CSV export is not timed: it streams.

Cold: the cache is cleared (the totals are computed again); warm: the same request repeated, the
totals read from the cache under the organisation's data version. Goals: cold p95 < 100 ms, warm
p95 < 10 ms.

Run it by hand::

    .venv/bin/python -m bench.transactions            # builds the data set (several minutes)
    .venv/bin/python -m bench.transactions --reuse    # keeps bench.dashboards' data set

It DROPS and re-creates the database named by ``BENCH_DASHBOARDS_DATABASE_URL`` unless --reuse
finds the data set there (see bench.dashboards for the cache and the database's name).
`transaction_rows` gives bench.dashboards the rows to add to its own table.
"""

from __future__ import annotations

import datetime
import importlib
import re
import sys
import warnings
from collections.abc import Sequence
from time import perf_counter
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import django

from bench import dashboards
from bench.invoices import migrate, print_environment, recreate_database, reusable_data

if TYPE_CHECKING:
    from core.models import Organization, User

# The filtered search: a supplier kind of bench.dashboards' data, money out, a quarter.
SEARCH_TEXT = "Drukkerij"
SEARCH_DAYS = 90


def transaction_rows(today: datetime.date) -> list[dashboards.Row]:
    """The transactions screen's rows to time: the first page and a filtered search."""
    from django.urls import reverse

    url = reverse("banking:transactions")
    search = urlencode(
        {
            "q": SEARCH_TEXT,
            "direction": "out",
            "date_from": (today - datetime.timedelta(days=SEARCH_DAYS)).isoformat(),
            "date_to": today.isoformat(),
        }
    )
    return [
        dashboards.Row("Transactions, first page", url),
        dashboards.Row("Transactions, q + direction + period", f"{url}?{search}"),
    ]


def second_page_row(browser: object, first: dashboards.Row) -> dashboards.Row:
    """The page after the first, through the cursor the first page links to."""
    from django.test import Client

    assert isinstance(browser, Client)
    # Outside the test runner a response carries no context: the cursor is read from the link.
    found = re.search(r"[?&;]after=([\w-]+)", browser.get(first.url).content.decode())
    if found is None:
        raise SystemExit("the first page links to no next page")
    cursor = found.group(1)
    return dashboards.Row("Transactions, second page (cursor)", f"{first.url}?after={cursor}")


def run(organization: Organization, user: User, runs: int) -> list[dashboards.Row]:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from core import tenancy
    from core.memory import memory

    importlib.import_module("config.wsgi")
    tenancy.forget_memberships(user.pk)
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    other_page = reverse("banking:rules")

    def forget() -> None:
        """Empty the cache and this process's own copies (core.memory: the rendered rows among
        them), then let another page cache the session, memberships and banners again."""
        cache.clear()
        memory.clear()
        dashboards.fetch(browser, other_page)

    rows = transaction_rows(timezone.localdate())
    rows.insert(1, second_page_row(browser, rows[0]))
    return [dashboards.measure(browser, row, runs, forget) for row in rows]


def main(argv: Sequence[str] | None = None) -> int:
    args = dashboards.parse_args(argv)
    params = dashboards.configure_environment()
    importlib.import_module("authlib.deprecate")
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()

    print(f"Smart Invoice benchmark: the transactions screen on {args.transactions:,} bank transactions")
    data = reusable_data(args.reuse, params, lambda: dashboards.existing_data(args))
    if data is None:
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        started = perf_counter()
        organization, user, _ = dashboards.build(args)
        print(f"Built the data in {perf_counter() - started:.1f} s.")
        data = organization, user
    organization, user = data
    print_environment(params)
    rows = run(organization, user, args.requests)
    dashboards.print_table(rows, args.requests)
    dashboards.print_slowest_queries(rows)
    if args.explain:
        dashboards.print_explains(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
