"""Property: whatever the lines, payments and credit notes, the balance due is exact."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Organization
from invoices import services
from invoices.models import Invoice
from invoices.money import line_amounts, round_cents
from invoices.services import Line
from tests.factories import make_client

DAY = datetime.date(2026, 4, 1)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999.99"), places=2)
rates = st.sampled_from([Decimal("0"), Decimal("6"), Decimal("12"), Decimal("21")])
lines = st.lists(st.tuples(quantities, prices, rates), min_size=1, max_size=6)
# Each settlement: ("pay" | "credit" | "overpay", a fraction of the gross total in basis points).
settlements = st.lists(st.tuples(st.sampled_from(["pay", "credit", "overpay"]), st.integers(1, 12_000)), max_size=6)


def gross_with_vat_per_rate(raw_lines: list[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """The lines' net amounts, plus VAT computed on each rate's net sum (not line by line)."""
    per_rate: dict[Decimal, Decimal] = {}
    for quantity, price, rate in raw_lines:
        per_rate[rate] = per_rate.get(rate, Decimal("0")) + line_amounts(quantity, price, rate).net
    vat = sum((round_cents(net * rate / 100) for rate, net in per_rate.items()), Decimal("0"))
    return sum(per_rate.values(), Decimal("0")) + vat


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw_lines=lines, steps=settlements)
def test_balance_is_total_minus_payments_minus_credits(organization: Organization, raw_lines, steps):
    client = make_client(organization)
    invoice = services.create_invoice(
        organization=organization,
        client=client,
        lines=[Line(f"item {n}", q, p, r) for n, (q, p, r) in enumerate(raw_lines)],
        issue_date=DAY,
    )
    invoice = services.send_invoice(invoice, email=False)
    expected_total = gross_with_vat_per_rate(raw_lines)
    paid = credited = Decimal("0.00")
    overpaid = False

    for kind, basis_points in steps:
        amount = (expected_total * basis_points / 10_000).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        try:
            if kind == "credit":
                note = services.issue_credit_note(
                    invoice, lines=[Line("credit", Decimal(1), amount, Decimal(0))], issue_date=DAY
                )
                credited += note.total
            else:
                services.record_payment(
                    organization=organization,
                    client=client,
                    invoice=invoice,
                    amount=amount,
                    date=DAY,
                    currency="EUR",
                    is_overpayment=kind == "overpay",
                )
                paid += amount
                overpaid = overpaid or (kind == "overpay" and amount > invoice.balance_due)
        except ValidationError:
            pass  # refused (over the balance, or nothing left to credit): must change nothing
        invoice = Invoice.objects.get(pk=invoice.pk)

    assert invoice.total == expected_total
    assert invoice.amount_paid == paid
    assert invoice.amount_credited == credited
    assert invoice.balance_due == expected_total - paid - credited
    if not overpaid:
        assert invoice.balance_due >= 0
