"""Concurrent writers on real PostgreSQL: numbers stay gapless, payments never overpay."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.models import Organization
from invoices import services
from invoices.models import Invoice, Payment
from tests.factories import OrganizationFactory, make_client, make_invoice, make_lines
from tests.helpers import run_concurrently

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; CI runs this leg"),
]

WORKERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_invoices_get_fifty_gapless_numbers():
    organization: Organization = OrganizationFactory.create()
    client = make_client(organization)

    def create(n: int) -> str:
        return services.create_invoice(
            organization=organization,
            client=client,
            lines=make_lines(("1", f"{n + 1}.00", "21")),
            issue_date=datetime.date(2026, 5, 4),
        ).number

    numbers, errors = run_concurrently(WORKERS, create)

    assert errors == []
    assert sorted(numbers) == [f"INV-2026-{n:04d}" for n in range(1, WORKERS + 1)]
    assert Invoice.objects.filter(organization=organization).count() == WORKERS
    references = set(Invoice.objects.values_list("payment_reference", flat=True))
    assert len(references) == WORKERS


@pytest.mark.django_db(transaction=True)
def test_racing_payments_never_overpay_an_invoice():
    organization: Organization = OrganizationFactory.create()
    invoice = make_invoice(organization, lines=make_lines(("1", "100.00", "0")))  # 100.00 due

    def pay(n: int) -> Decimal:
        services.record_payment(
            organization=organization,
            client=invoice.client,
            invoice=invoice,
            amount=Decimal("7.00"),
            date=datetime.date(2026, 5, 4),
            currency="EUR",
        )
        return Decimal("7.00")

    accepted, errors = run_concurrently(WORKERS, pay)

    refused = [e for e in errors if isinstance(e, ValidationError)]
    assert len(refused) == len(errors), [e for e in errors if not isinstance(e, ValidationError)]
    assert len(accepted) == 14  # 14 x 7.00 = 98.00; a 15th would make 105.00
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("98.00") == sum(Payment.objects.values_list("amount", flat=True))
    assert invoice.balance_due == Decimal("2.00")
