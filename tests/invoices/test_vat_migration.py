"""The migration that brings VAT categories: what was issued keeps its figures."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("invoices", "0006_business_ids")]
AFTER = [("invoices", "0007_vat_categories")]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(list(executor.loader.graph.leaf_nodes()))


def test_issued_invoices_keep_their_vat_and_zero_rate_lines_become_zero_rated():
    apps = migrate(BEFORE)
    organization = apps.get_model("core", "Organization").objects.create(name="Acme BV")
    client = apps.get_model("invoices", "Client").objects.create(organization=organization, name="Dupont")
    Invoice = apps.get_model("invoices", "Invoice")
    day = datetime.date(2026, 3, 2)
    common = {"organization": organization, "client": client, "issue_date": day, "due_date": day}
    sent = Invoice.objects.create(number="1", status="sent", payment_reference="000000000097", **common)
    draft = Invoice.objects.create(number="2", status="draft", payment_reference="000000000194", **common)
    money = {"net_amount": Decimal("1"), "vat_amount": Decimal("0"), "gross_amount": Decimal("1")}
    for rate in (Decimal("21"), Decimal("0")):
        apps.get_model("invoices", "InvoiceItem").objects.create(
            organization=organization, invoice=sent, description="x", quantity=1, unit_price=1, vat_rate=rate, **money
        )

    apps = migrate(AFTER)

    Invoice = apps.get_model("invoices", "Invoice")
    assert Invoice.objects.get(pk=sent.pk).vat_rounded_per_line
    assert not Invoice.objects.get(pk=draft.pk).vat_rounded_per_line
    categories = (
        apps.get_model("invoices", "InvoiceItem").objects.order_by("-vat_rate").values_list("vat_category", flat=True)
    )
    assert list(categories) == ["S", "Z"]
