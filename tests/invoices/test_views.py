"""Billing pages: bounded queries whatever the row count, clear errors, role checks, exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.formatting import format_money
from core.models import AuditEvent, Organization, Role, User
from invoices import services
from invoices.models import BillingProfile, Client, Invoice, InvoiceStatus, Payment
from tests.factories import make_challan, make_client, make_invoice, make_lines, member
from tests.helpers import logged_in_client

D = Decimal
MAX_QUERIES = 5


def line_post(prefix: str = "lines", *lines: tuple[str, str, str, str]) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(lines)), f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "1"}
    for n, (description, quantity, price, rate) in enumerate(lines):
        data.update(
            {
                f"{prefix}-{n}-description": description,
                f"{prefix}-{n}-quantity": quantity,
                f"{prefix}-{n}-unit_price": price,
                f"{prefix}-{n}-vat_rate": rate,
            }
        )
    return data


def invoice_post(client: Client, *lines: tuple[str, str, str, str], **fields: str) -> dict[str, str]:
    data = {"client": str(client.pk), "issue_date": "2026-03-02", "due_date": "", "currency": "EUR", "notes": ""}
    return {**data, **fields, **line_post("lines", *(lines or (("Consulting", "2", "50.00", "21"),)))}


@pytest.fixture
def busy_organization(organization: Organization) -> Organization:
    """Enough rows that a page doing per-row queries would blow the budget."""
    clients = [make_client(organization, name=f"Client {n}") for n in range(3)]
    for n in range(12):
        invoice = make_invoice(organization, clients[n % 3], lines=make_lines(("1", "100", "21"), ("2", "5", "6")))
        services.record_payment(
            organization=organization,
            client=invoice.client,
            invoice=invoice,
            amount=D("10.00"),
            date=datetime.date(2026, 3, 5),
            currency="EUR",
        )
        services.issue_credit_note(invoice, lines=make_lines(("1", "1.00", "21")), issue_date=invoice.issue_date)
    make_challan(organization)
    return organization


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["invoice_list", "client_list", "payment_list", "credit_note_list", "challan_list", "deleted_items"],
)
def test_list_pages_stay_within_the_query_budget(
    busy_organization: Organization, browsing_client: HttpClient, django_assert_max_num_queries, url_name: str
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = browsing_client.get(reverse(f"invoices:{url_name}"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_detail_pages_stay_within_the_query_budget(
    busy_organization: Organization, browsing_client: HttpClient, django_assert_max_num_queries
):
    invoice = Invoice.objects.filter(organization=busy_organization).earliest("id")
    challan = make_challan(busy_organization)
    pages = [
        # The invoice also reads how it went out: over Peppol, by WhatsApp, and its online payments
        # (with, on a cold cache, whether the organisation takes them): four queries more.
        (reverse("invoices:invoice_detail", args=[invoice.pk]), MAX_QUERIES + 4),
        (reverse("invoices:client_detail", args=[invoice.client_id]), MAX_QUERIES),
        (reverse("invoices:client_statement", args=[invoice.client_id]), MAX_QUERIES),
        (reverse("invoices:challan_detail", args=[challan.pk]), MAX_QUERIES),
    ]
    for url, budget in pages:
        with django_assert_max_num_queries(budget):
            response = browsing_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_invoice_detail_shows_balance_payments_credits_and_history(
    busy_organization: Organization, owner_client: HttpClient
):
    invoice = Invoice.objects.filter(organization=busy_organization).earliest("id")

    page = owner_client.get(reverse("invoices:invoice_detail", args=[invoice.pk])).content.decode()

    # Shown whole, with places to wrap only after its slashes.
    assert invoice.formatted_reference.replace("/", "/<wbr>") in page
    assert format_money(invoice.balance_due, invoice.currency) in page
    assert "Credit note CN-2026-" in page
    assert "payment.recorded" not in page  # the payment event belongs to the payment...
    assert "invoice.created" in page and "invoice.sent" in page  # ...the invoice's own history is here


@pytest.mark.django_db
def test_create_invoice_through_the_form(owner_client: HttpClient, organization: Organization, owner: User):
    client = make_client(organization, payment_terms_days=10)

    response = owner_client.post(
        reverse("invoices:invoice_create"),
        invoice_post(client, ("Consulting", "2", "50.00", "21"), ("Travel", "1", "20.00", "0")),
    )

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == invoice.get_absolute_url()
    assert (invoice.total, invoice.due_date, invoice.status) == (D("141.00"), datetime.date(2026, 3, 12), "draft")
    assert invoice.items.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "fields", "message"),
    [
        (("Box", "0", "10.00", "21"), {}, "The quantity must be more than zero."),
        (("Box", "-2", "10.00", "21"), {}, "The quantity must be more than zero."),
        (("Box", "1", "10.005", "21"), {}, "Ensure that there are no more than 2 decimal places."),
        (("Box", "1", "10.00", "21"), {"due_date": "2026-03-01"}, "The due date cannot be before the issue date."),
        (("Box", "1", "10.00", "21"), {"payment_reference": "+++123/4567/89003+++"}, "wrong check digits"),
        (("Box", "1", "10.00", "19"), {}, "Select a valid choice"),
    ],
)
def test_bad_invoice_input_gets_a_clear_message_and_saves_nothing(
    owner_client: HttpClient, organization: Organization, line, fields, message
):
    response = owner_client.post(
        reverse("invoices:invoice_create"), invoice_post(make_client(organization), line, **fields)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invoice.all_objects.exists()


@pytest.mark.django_db
def test_invoice_for_a_client_of_another_organization_is_404(
    owner_client: HttpClient, other_organization: Organization
):
    response = owner_client.post(reverse("invoices:invoice_create"), invoice_post(make_client(other_organization)))

    assert response.status_code == 404
    assert not Invoice.all_objects.exists()


@pytest.mark.django_db
def test_edit_replaces_the_lines_of_a_draft(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization, sent=False)
    assert owner_client.get(reverse("invoices:invoice_edit", args=[invoice.pk])).status_code == 200

    owner_client.post(
        reverse("invoices:invoice_edit", args=[invoice.pk]),
        invoice_post(invoice.client, ("Only line", "1", "9.99", "0")),
    )

    invoice.refresh_from_db()
    assert invoice.total == D("9.99")
    assert list(invoice.items.values_list("description", flat=True)) == ["Only line"]


@pytest.mark.django_db
def test_record_payment_from_the_invoice_page(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization)
    url = reverse("invoices:invoice_record_payment", args=[invoice.pk])
    form = {"amount": "21.00", "date": "2026-03-05", "currency": "EUR", "method": "bank_transfer"}

    owner_client.post(url, form)
    too_much = owner_client.post(url, {**form, "amount": "500.00"}, follow=True)
    wrong_currency = owner_client.post(url, {**form, "currency": "USD"}, follow=True)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PARTIALLY_PAID, D("100.00"))
    assert "more than the balance due" in too_much.content.decode()
    assert "is in USD but the invoice is in EUR" in wrong_currency.content.decode()
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_payment_on_a_cancelled_invoice_is_refused_with_a_message(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization)
    owner_client.post(reverse("invoices:invoice_cancel", args=[invoice.pk]))

    response = owner_client.post(
        reverse("invoices:invoice_record_payment", args=[invoice.pk]),
        {"amount": "1.00", "date": "2026-03-05", "currency": "EUR", "method": "cash"},
        follow=True,
    )

    assert "This invoice is cancelled" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_credit_note_form_issues_a_credit(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization)

    response = owner_client.post(
        reverse("invoices:credit_note_create", args=[invoice.pk]),
        # One of the invoice's two lines of 50.00 at 21 % (make_invoice's "Line 1").
        {"issue_date": "2026-03-03", "reason": "Damaged", **line_post("lines", ("Line 1", "1", "50.00", "21"))},
    )

    invoice.refresh_from_db()
    assert response.status_code == 302
    assert invoice.amount_credited == D("60.50")


@pytest.mark.django_db
def test_viewer_cannot_create_or_pay(organization: Organization):
    viewer = logged_in_client(member(organization, Role.VIEWER))
    invoice = make_invoice(organization)

    assert viewer.get(reverse("invoices:invoice_detail", args=[invoice.pk])).status_code == 200
    assert viewer.post(reverse("invoices:invoice_create"), invoice_post(invoice.client)).status_code == 403
    payment = {"amount": "1.00", "date": "2026-03-05", "currency": "EUR", "method": "cash"}
    assert viewer.post(reverse("invoices:invoice_record_payment", args=[invoice.pk]), payment).status_code == 403
    assert Invoice.all_objects.count() == 1
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_finance_cannot_delete_but_admin_can_and_restores(organization: Organization):
    invoice = make_invoice(organization, sent=False)
    finance = logged_in_client(member(organization, Role.FINANCE))
    admin = logged_in_client(member(organization, Role.ADMIN))

    assert finance.post(reverse("invoices:invoice_delete", args=[invoice.pk])).status_code == 403
    assert admin.post(reverse("invoices:invoice_delete", args=[invoice.pk])).status_code == 302
    assert list(admin.get(reverse("invoices:invoice_list")).context["page"]) == []
    assert admin.get(reverse("invoices:deleted_items")).context["invoices"] == [invoice]
    admin.post(reverse("invoices:invoice_restore", args=[invoice.pk]))
    assert Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.django_db
def test_list_filters_by_status_client_overdue_and_search(owner_client: HttpClient, organization: Organization):
    dupont, martin = make_client(organization, name="Dupont"), make_client(organization, name="Martin")
    draft = make_invoice(organization, dupont, sent=False)
    sent = make_invoice(organization, martin)
    Invoice.objects.filter(pk=sent.pk).update(status=InvoiceStatus.OVERDUE)

    def numbers(**params: str) -> set[str]:
        page = owner_client.get(reverse("invoices:invoice_list"), params)
        return {invoice["number"] for invoice in page.context["page"]}

    assert numbers(status="draft") == {draft.number}
    assert numbers(client=str(martin.pk)) == {sent.number}
    assert numbers(overdue="on") == {sent.number}
    assert numbers(q="dupont") == {draft.number}
    assert numbers(q=sent.number) == {sent.number}
    assert numbers(date_from="2026-03-03") == set()


@pytest.mark.django_db
def test_client_search_finds_by_vat_number_and_iban(owner_client: HttpClient, organization: Organization):
    owner_client.post(
        reverse("invoices:client_create"),
        {
            "name": "Bakkerij Peeters",
            "vat_number": "BE 0123.456.749",
            "ibans": "BE71 0961 2345 6769",
            "country": "be",
            "payment_terms_days": "30",
            "currency": "EUR",
            "opening_balance": "0",
        },
    )

    by_vat = owner_client.get(reverse("invoices:client_list"), {"q": "BE0123456749"}).content.decode()
    by_iban = owner_client.get(reverse("invoices:client_list"), {"q": "be71 0961"}).content.decode()

    assert "Bakkerij Peeters" in by_vat
    assert "Bakkerij Peeters" in by_iban


@pytest.mark.django_db
def test_client_form_rejects_a_bad_iban(owner_client: HttpClient):
    response = owner_client.post(
        reverse("invoices:client_create"),
        {
            "name": "X",
            "ibans": "BE71 0961 2345 6760",
            "country": "BE",
            "payment_terms_days": "30",
            "currency": "EUR",
            "opening_balance": "0",
        },
    )

    assert "wrong check digits" in response.content.decode()
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_general_payment_lowers_the_client_balance(owner_client: HttpClient, organization: Organization):
    client = make_client(organization)
    make_invoice(organization, client)

    owner_client.post(
        reverse("invoices:payment_create"),
        {"client": client.pk, "amount": "100.00", "date": "2026-03-10", "currency": "EUR", "method": "cash"},
    )
    page = owner_client.get(reverse("invoices:client_detail", args=[client.pk])).content.decode()

    assert Payment.objects.get().invoice is None
    assert "21.00" in page


@pytest.mark.django_db
def test_invoices_csv_follows_the_filters(owner_client: HttpClient, organization: Organization):
    make_invoice(organization, sent=False)
    sent = make_invoice(organization, make_client(organization, name="=HYPERLINK(evil)"))

    response = owner_client.get(reverse("invoices:invoice_csv"), {"status": "sent"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["number", "client", "issue_date"]
    assert [row[0] for row in rows[1:]] == [sent.number]
    assert rows[1][1] == "'=HYPERLINK(evil)"
    assert rows[1][8] == "121.00"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["payment_csv", "client_csv"])
def test_other_exports_have_a_header_and_rows(owner_client: HttpClient, organization: Organization, url_name: str):
    invoice = make_invoice(organization)
    services.record_payment(
        organization=organization,
        client=invoice.client,
        invoice=invoice,
        amount=D("5.00"),
        date=datetime.date(2026, 3, 4),
        currency="EUR",
    )

    body = owner_client.get(reverse(f"invoices:{url_name}")).getvalue().decode()

    assert len(body.strip().splitlines()) == 2
    assert "Brasserie Dupont" in body


@pytest.mark.django_db
def test_documents_download_as_pdf(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization)
    payment = services.record_payment(
        organization=organization,
        client=invoice.client,
        amount=D("5.00"),
        date=datetime.date(2026, 3, 4),
        currency="EUR",
    )
    downloads = {
        reverse("invoices:invoice_pdf", args=[invoice.pk]): "inv-2026-0001.pdf",
        reverse("invoices:payment_receipt", args=[payment.pk]): f"receipt-{payment.pk}.pdf",
        reverse("invoices:challan_pdf", args=[make_challan(organization).pk]): "dn-2026-0001.pdf",
    }
    for url, filename in downloads.items():
        response = owner_client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert filename in response["Content-Disposition"]
        assert response.getvalue().startswith(b"%PDF")


@pytest.mark.django_db
def test_statement_brings_earlier_movements_forward(owner_client: HttpClient, organization: Organization):
    client = make_client(organization, opening_balance=D("50.00"))
    make_invoice(organization, client, issue_date=datetime.date(2026, 1, 5))
    later = make_invoice(organization, client, issue_date=datetime.date(2026, 6, 1))
    url = reverse("invoices:client_statement", args=[client.pk])

    period = owner_client.get(url, {"from": "2026-02-01"}).content.decode()
    everything = owner_client.get(url, {"from": "all"}).content.decode()

    assert "Balance brought forward" in period and format_money(171) in period
    assert later.number in period and "INV-2026-0001" not in period
    assert "Opening balance" in everything and "INV-2026-0001" in everything
    assert "Closing balance EUR" in period and format_money(292) in period


@pytest.mark.django_db
def test_admin_sets_billing_details_that_the_documents_use(owner_client: HttpClient, organization: Organization):
    form = {
        "legal_name": "Acme Trading BV",
        "country": "BE",
        "iban": "BE68 5390 0754 7034",
        "send_reminders": "on",
        "reminder_offsets": "14, -3, 7",
    }
    bad = owner_client.post(reverse("invoices:billing_settings"), {**form, "reminder_offsets": "soon"})
    owner_client.post(reverse("invoices:billing_settings"), form)

    profile = BillingProfile.objects.get(organization=organization)
    assert "Use whole numbers of days" in bad.content.decode()
    assert (profile.iban, profile.reminder_offsets) == ("BE68539007547034", [-3, 7, 14])
    assert AuditEvent.objects.filter(action="billing_profile.updated").count() == 1


@pytest.mark.django_db
def test_finance_cannot_change_billing_details(organization: Organization):
    finance = logged_in_client(member(organization, Role.FINANCE))
    assert finance.get(reverse("invoices:billing_settings")).status_code == 403
