"""Server time of the public API on the invoice benchmark's organisation: listing invoices a
hundred at a time, and creating an invoice.

What it measures: the organisation `make bench-invoices` builds (about 2,000 clients, 100,000
invoices of 2-4 lines and 50,000 payments, in PostgreSQL; the same database, so either bench
builds it once for both), then, in-process through DRF's test client with an admin's API key
(no network, no web server), the median and 95th percentile server time and the SQL queries of:

* the first page of 100 invoices (`GET /api/v1/invoices/?limit=100`, lines and VAT included),
* a page of 100 deep in the list (the cursor of the 500th page),
* the first 100 overdue invoices,
* creating a draft invoice of three lines (`POST /api/v1/invoices/`, validated by the invoice
  editor's own form and formset, audited); the drafts it creates are deleted afterwards, so the
  data set stays the one the other bench reuses.

The goal is a p95 under 30 ms for a list of 100 and under 50 ms for a create.

Run it by hand, never from the test suite::

    make bench-api
    make bench-api BENCH_ARGS="--reuse"      # keep the data of the previous run (of either bench)
    make bench-api BENCH_ARGS="--invoices 20000 --payments 10000 --requests 10"

It DROPS and re-creates the database named by ``BENCH_DATABASE_URL`` unless ``--reuse`` finds the
data set there (default ``postgres://postgres@127.0.0.1:5432/smart_invoice_bench``; its name must
contain "bench").
"""

from __future__ import annotations

import datetime
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import TYPE_CHECKING, Any

import django

from bench.invoices import (
    BENCH_SLUG,
    Result,
    analyze,
    build,
    configure_environment,
    existing_data,
    measure,
    migrate,
    parse_args,
    print_counts,
    print_environment,
    recreate_database,
    reusable_data,
)

if TYPE_CHECKING:
    from rest_framework.test import APIClient

    from core.models import Organization

# Goals per kind of request, p95 in milliseconds.
GOALS_MS = {"list": 30.0, "create": 50.0}
PAGE = 100


def _get(api: APIClient, url: str) -> dict[str, Any]:
    response = api.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    body: dict[str, Any] = response.json()
    if len(body["data"]) != PAGE:
        raise SystemExit(f"GET {url} gave {len(body['data'])} invoices, not {PAGE}")
    return body


def _deep_cursor(api: APIClient, pages: int) -> str:
    """The `next` link after `pages` pages of the plain list, as a client paging through it holds."""
    url = f"/api/v1/invoices/?limit={PAGE}"
    for _ in range(pages):
        url = _get(api, url)["next"]
    return url


def _creator(api: APIClient, organization: Organization, created: list[int]) -> Callable[[], None]:
    from invoices.models import Client

    client_id = Client.objects.filter(organization=organization).order_by("id").values_list("id", flat=True)[0]
    body = {
        "client": client_id,
        "issue_date": datetime.date.today().isoformat(),
        "lines": [
            {"description": "Consulting, November", "quantity": "12.5", "unit_price": "95.00", "vat_rate": "21"},
            {"description": "Travel", "quantity": "1", "unit_price": "48.20", "vat_rate": "21"},
            {"description": "Books", "quantity": "3", "unit_price": "24.99", "vat_rate": "6"},
        ],
    }

    def create() -> None:
        response = api.post("/api/v1/invoices/", body, format="json")
        if response.status_code != 201:
            raise SystemExit(f"POST /api/v1/invoices/ answered {response.status_code}: {response.content[:500]!r}")
        created.append(response.json()["id"])

    return create


def run_measurements(organization: Organization, runs: int) -> list[tuple[Result, float]]:
    from rest_framework.test import APIClient

    from api.keys import create_api_key
    from core.models import Membership, Role
    from invoices.models import Invoice

    admin = Membership.objects.filter(organization=organization, role__in=[Role.OWNER, Role.ADMIN]).first()
    assert admin is not None
    key, token = create_api_key(organization, name="bench", scope="write", expires_at=None, actor=admin.user)
    api = APIClient(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    created: list[int] = []
    first, overdue = f"/api/v1/invoices/?limit={PAGE}", f"/api/v1/invoices/?limit={PAGE}&status=overdue"
    deep = _deep_cursor(api, 500)
    requests: list[tuple[str, str, Callable[[], object]]] = [
        ("List 100 invoices, first page", "list", lambda: _get(api, first)),
        ("List 100 invoices, page 501", "list", lambda: _get(api, deep)),
        ("List 100 overdue invoices", "list", lambda: _get(api, overdue)),
        ("Create an invoice (3 lines)", "create", _creator(api, organization, created)),
    ]
    try:
        return [(measure(label, kind, action, runs), GOALS_MS[kind]) for label, kind, action in requests]
    finally:
        Invoice.all_objects.filter(pk__in=created).delete()
        key.delete()


def print_table(rows: Sequence[tuple[Result, float]], runs: int) -> None:
    print()
    print(f"{'request':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'goal p95':>9}")
    for result, goal in rows:
        met = "met" if result.p95 < goal else "MISSED"
        print(
            f"{result.label:<34} {result.median:>10.1f} {result.p95:>8.1f} {len(result.queries):>8} "
            f"{f'< {goal:.0f} ms':>9} {met}"
        )
    print(f"({runs} requests each after warm-ups; p95 nearest-rank; server time in-process.)")


def main(argv: Sequence[str] | None = None) -> int:
    run_started = perf_counter()
    args = parse_args(argv)
    # One caller paging through 50,000 invoices: far above any key's rate, which is not measured.
    os.environ["API_RATE_LIMIT"] = "1000000/m"
    params = configure_environment()
    django.setup()
    from core.models import Organization

    print(f"Smart Invoice benchmark: the public API on {args.invoices:,} invoices and {args.payments:,} payments")
    data = reusable_data(args.reuse, params, lambda: existing_data(args))
    if data is None:
        recreate_database(params)
        print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
        started = perf_counter()
        data = build(args)
        print(f"Built the data in {perf_counter() - started:.1f} s; VACUUM ANALYZE {analyze():.1f} s.")
    organization = Organization.objects.get(slug=BENCH_SLUG)
    # As a gunicorn worker starts: every view imported, the startup objects frozen out of the
    # garbage collector's sight.
    importlib.import_module("config.wsgi")
    print_environment(params)
    print_counts(organization)
    print_table(run_measurements(organization, args.requests), args.requests)
    print(f"\nWhole run: {perf_counter() - run_started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
