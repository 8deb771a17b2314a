"""How long an e-invoice takes: the UBL of an invoice, its check against the schema and both rule
sets, and the invoice PDF with its payment QR code.

What it measures: the demo organisation's billing data (35 invoices at several rates and VAT
categories, a credit note; seeded by the demo's own services) in PostgreSQL; the one-off compile
of the XSDs and the two schematron stylesheets; then, for every invoice, many times over: building
its UBL (`invoice_ubl`, with the SQL it runs), validating it (`validation.validate`), and rendering
its PDF (`invoice_pdf`, QR code included). Medians and 95th percentiles are printed against the
goals of issue 13: generation + validation < 20 ms after the compile, the PDF < 50 ms.

Run it by hand, never from the test suite::

    make bench-einvoicing
    make bench-einvoicing BENCH_ARGS="--rounds 5"

It DROPS and re-creates the database named by ``BENCH_EINVOICING_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/smart_invoice_bench_einvoicing``; its name must contain "bench").
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from functools import partial
from time import perf_counter
from typing import Any

import django

from bench.environment import bench_database, use_quiet_development_settings
from bench.invoices import migrate, percentile, recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smart_invoice_bench_einvoicing"
GOALS_MS = {"generation + validation": 20.0, "PDF with QR code": 50.0}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10, help="times every invoice is timed (default 10)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = perf_counter()
    result = action()
    return (perf_counter() - started) * 1000, result


def line(label: str, samples: Sequence[float], extra: str = "") -> None:
    goal = GOALS_MS.get(label)
    verdict = "" if goal is None else f"  goal < {goal:.0f} ms: {'met' if percentile(samples, 95) < goal else 'MISSED'}"
    median, p95 = statistics.median(samples), percentile(samples, 95)
    print(f"  {label:<26} median {median:6.2f} ms   p95 {p95:6.2f} ms{verdict}{extra}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url, params = bench_database("BENCH_EINVOICING_DATABASE_URL", DEFAULT_DATABASE_URL)
    use_quiet_development_settings(url)
    django.setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.models import Organization
    from invoices.demo import seed_billing
    from invoices.einvoicing import validation
    from invoices.einvoicing.ubl import invoice_ubl
    from invoices.models import Invoice
    from invoices.pdf import invoice_pdf

    print("Smart Invoice benchmark: e-invoices (Peppol BIS 3.0 UBL) and invoice PDFs")
    recreate_database(params)
    print(f"Re-created the database {params['NAME']}; migrated in {migrate():.1f} s.")
    organization = Organization.objects.create(name="Bench Trading BV")
    seed_billing(organization)
    invoices = list(Invoice.objects.filter(organization=organization).select_related("client", "organization"))
    print(f"Python {platform.python_version()} · {platform.machine()} · {len(invoices)} demo invoices")
    print(f"Rules: {validation.RULES_VERSION}")

    compile_ms, _ = timed(validation.warm_up)
    print(f"One-off compile of the XSDs and both schematron stylesheets: {compile_ms:,.0f} ms")

    generation, checking, together, pdfs, queries, invalid = [], [], [], [], [], 0
    for _ in range(args.rounds):
        for invoice in invoices:
            with CaptureQueriesContext(connection) as captured:
                built_ms, document = timed(partial(invoice_ubl, invoice))
            checked_ms, result = timed(partial(validation.validate, document))
            pdf_ms, _ = timed(partial(invoice_pdf, invoice))
            generation.append(built_ms)
            checking.append(checked_ms)
            together.append(built_ms + checked_ms)
            pdfs.append(pdf_ms)
            queries.append(len(captured))
            invalid += not result.valid
    print(f"\n{len(generation):,} timings per row ({args.rounds} rounds of {len(invoices)} invoices):")
    line("UBL generation", generation, f"   {max(queries)} SQL queries at most")
    line("validation", checking)
    line("generation + validation", together)
    line("PDF with QR code", pdfs)
    print(f"  documents failing a rule: {invalid} of {len(generation):,}")
    return 0 if invalid == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
