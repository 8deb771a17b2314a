"""VAT categories on lines, and VAT computed once per category and rate."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Organization
from invoices import services
from invoices.models import Invoice
from invoices.pdf import invoice_pdf
from invoices.services import Line
from invoices.services.totals import recompute_many
from invoices.vat import VatLine, document_problem, line_problem, vat_breakdown
from tests.factories import make_client, make_invoice, pay
from tests.invoices.test_pdf import money, pdf_text

D = Decimal


@pytest.mark.parametrize(
    ("category", "rate", "reason", "problem"),
    [
        ("S", D("21"), "", ""),
        ("S", D("0"), "", "needs a VAT rate above 0 %"),
        ("Z", D("0"), "", ""),
        ("Z", D("6"), "", "zero rate is charged at 0 %"),
        ("E", D("0"), "", "say why the line is exempt"),
        ("E", D("0"), "Art. 44 WBTW", ""),
        ("AE", D("21"), "", "reverse charge is charged at 0 %"),
        ("AE", D("0"), "", ""),
        ("X", D("0"), "", "choose a VAT category"),
    ],
)
def test_each_category_has_its_rate_and_reason_rules(category: str, rate: Decimal, reason: str, problem: str):
    found = line_problem(category, rate, reason)

    assert (problem in found) if problem else found == ""


def test_not_subject_lines_stand_alone_and_reverse_charge_needs_the_buyers_vat_number():
    assert "cannot have lines of another VAT category" in document_problem(["O", "S"], buyer_has_vat_number=True)
    assert document_problem(["O", "O"], buyer_has_vat_number=False) == ""
    assert "client's VAT number" in document_problem(["S", "AE"], buyer_has_vat_number=False)
    assert "client's VAT number" in document_problem(["K"], buyer_has_vat_number=False)
    assert document_problem(["S", "AE"], buyer_has_vat_number=True) == ""


def test_vat_is_computed_on_each_groups_net_sum_not_line_by_line():
    # Three lines of 0.07 at 21 %: 0.01 each on its own (0.03), 0.04 on the 0.21 base.
    lines = [VatLine("S", D("21.00"), D("0.07")) for _ in range(3)] + [VatLine("S", D("6"), D("25.00"))]
    lines.append(VatLine("AE", D("0"), D("100.00")))

    groups = vat_breakdown(lines)

    assert [(g.category, g.rate, g.taxable, g.vat, g.reason) for g in groups] == [
        ("S", D("21"), D("0.21"), D("0.04"), ""),
        ("S", D("6"), D("25.00"), D("1.50"), ""),
        ("AE", D("0"), D("100.00"), D("0.00"), "Reverse charge"),
    ]


@pytest.mark.django_db
def test_an_invoices_totals_follow_the_groups_and_a_batch_recompute_agrees(organization: Organization):
    invoice = make_invoice(organization, lines=[Line(f"Stamp {n}", D("1"), D("0.07"), D("21")) for n in range(3)])

    assert (invoice.subtotal, invoice.vat_total, invoice.total) == (D("0.21"), D("0.04"), D("0.25"))
    invoice.vat_total = invoice.total = D("0")
    recompute_many([invoice])
    assert (invoice.vat_total, invoice.total) == (D("0.04"), D("0.25"))


@pytest.mark.django_db
def test_an_invoice_issued_with_vat_per_line_keeps_the_figures_its_client_was_sent(organization: Organization):
    invoice = make_invoice(organization, lines=[Line(f"Stamp {n}", D("1"), D("0.07"), D("21")) for n in range(3)])
    # As the migration leaves an invoice issued before VAT was computed per group.
    Invoice.objects.filter(pk=invoice.pk).update(vat_rounded_per_line=True, vat_total=D("0.03"), total=D("0.24"))

    pay(invoice, "0.10")
    invoice.refresh_from_db()
    assert (invoice.vat_total, invoice.total, invoice.balance_due) == (D("0.03"), D("0.24"), D("0.14"))
    recompute_many([invoice])
    assert invoice.total == D("0.24")
    # Its PDF's VAT summary adds up to the same VAT: 0.03, not the 0.04 one group would round to.
    assert f"21 % {money('0.21')} {money('0.03')}" in pdf_text(invoice_pdf(invoice))


@pytest.mark.django_db
def test_reverse_charge_is_refused_for_a_client_without_a_vat_number(organization: Organization):
    client = make_client(organization, vat_number="")

    with pytest.raises(ValidationError, match="client's VAT number"):
        services.create_invoice(
            organization=organization,
            client=client,
            lines=[Line("Installation works", D("1"), D("1000.00"), D("0"), "AE")],
            issue_date=datetime.date(2026, 3, 2),
        )


@pytest.mark.django_db
def test_the_form_says_on_the_line_what_its_category_needs(owner_client, organization: Organization):
    client = make_client(organization)
    line = {"description": "Training", "quantity": "1", "unit_price": "500.00", "vat_rate": "0", "vat_category": "E"}
    post = {"client": client.pk, "issue_date": "2026-03-02", "due_date": "2026-04-01", "currency": "EUR"}
    post |= {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1"}
    post |= {"lines-MAX_NUM_FORMS": "200", **{f"lines-0-{name}": value for name, value in line.items()}}

    refused = owner_client.post(reverse("invoices:invoice_create"), post)

    assert refused.status_code == 200
    assert "Say why the line is exempt from VAT" in refused.content.decode()
    post["lines-0-vat_exemption_reason"] = "Art. 44 § 2 4° WBTW (training)"
    accepted = owner_client.post(reverse("invoices:invoice_create"), post)
    assert accepted.status_code == 302
    item = Invoice.objects.get(organization=organization).items.get()
    assert (item.vat_category, item.vat_exemption_reason) == ("E", "Art. 44 § 2 4° WBTW (training)")
