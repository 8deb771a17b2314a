"""The client statement in pages: each page opens with the balance the previous one closed with."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.formatting import format_money
from core.models import Organization
from core.pagination import PAGE_SIZE
from invoices import services
from invoices.balances import Statement, statement
from invoices.models import Client, Payment
from tests.factories import make_client, make_invoice, make_lines, pay

D = Decimal
JAN_5, JAN_20, FEB_3 = datetime.date(2026, 1, 5), datetime.date(2026, 1, 20), datetime.date(2026, 2, 3)


@pytest.fixture
def busy_client(organization: Organization) -> Client:
    """Nine movements, several of them on one day, so that page boundaries fall between an
    invoice, a credit note and payments of the same day."""
    client = make_client(organization, opening_balance=D("50.00"))
    for day in (JAN_5, JAN_20):
        invoice = make_invoice(organization, client, issue_date=day)  # 121.00
        services.issue_credit_note(invoice, lines=make_lines(("1", "10.00", "21")), issue_date=day)  # 12.10
        pay(invoice, "21.00", on=day)
    later = make_invoice(organization, client, issue_date=FEB_3)
    pay(later, "100.00", on=FEB_3)
    services.record_payment(organization=organization, client=client, amount=D("5.00"), date=FEB_3, currency="EUR")
    return client


def all_pages(client: Client, size: int, since: datetime.date | None = None) -> list[Statement]:
    pages = [statement(client, since, 1, size)]
    while pages[-1].page.has_next:
        pages.append(statement(client, since, len(pages) + 1, size))
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 4, 8])
def test_pages_hold_every_movement_once_and_carry_the_balance(busy_client: Client, size: int):
    whole = statement(busy_client, size=100)

    pages = all_pages(busy_client, size)

    assert [m for page in pages for m in page.movements] == whole.movements
    assert [len(page.movements) for page in pages[:-1]] == [size] * (len(pages) - 1)
    assert pages[0].opening == {"EUR": D("50.00")}
    for previous, page in itertools.pairwise(pages):
        assert page.opening == previous.closing
    assert pages[-1].closing == whole.closing == {"EUR": D("241.80")}


@pytest.mark.django_db
def test_a_period_brings_the_earlier_movements_forward_onto_its_first_page(busy_client: Client):
    pages = all_pages(busy_client, 2, since=JAN_20)

    assert pages[0].opening == {"EUR": D("137.90")}  # 50 + 121 - 12.10 - 21 from 5 January
    assert pages[0].movements[0].date == JAN_20
    assert pages[-1].closing == {"EUR": D("241.80")}
    assert sum(len(page.movements) for page in pages) == 6


@pytest.mark.django_db
def test_exactly_one_page_of_movements_has_no_next_page(busy_client: Client):
    one_page = statement(busy_client, size=9)
    one_short = statement(busy_client, size=8)

    assert (len(one_page.movements), one_page.page.has_next) == (9, False)
    assert (len(one_short.movements), one_short.page.has_next) == (8, True)
    assert statement(busy_client, number=2, size=8).movements == one_page.movements[8:]


@pytest.mark.django_db
def test_a_client_without_movements_has_its_opening_balance_and_no_page_links(organization: Organization):
    client = make_client(organization, opening_balance=D("12.00"))

    empty = statement(client)

    assert (empty.opening, empty.movements, empty.closing) == ({"EUR": D("12.00")}, [], {"EUR": D("12.00")})
    assert not empty.page.has_other_pages


@pytest.mark.django_db
def test_a_page_past_the_end_opens_with_the_closing_balance(busy_client: Client):
    past = statement(busy_client, number=5, size=4)

    assert past.movements == []
    assert past.opening == past.closing == {"EUR": D("241.80")}


def general_payments(client: Client, count: int) -> None:
    """`count` general payments of 1.00 on consecutive days from 1 January 2025."""
    Payment.objects.bulk_create(
        Payment(
            organization_id=client.organization_id,
            client=client,
            amount=D("1.00"),
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            currency="EUR",
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_the_statement_page_links_to_the_next_and_carries_the_balance(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization, opening_balance=D("500.00"))
    general_payments(client, PAGE_SIZE + 10)
    url = reverse("invoices:client_statement", args=[client.pk])

    first = owner_client.get(url, {"from": "all"}).content.decode()
    second = owner_client.get(url, {"from": "all", "page": "2"}).content.decode()

    carried = 500 - PAGE_SIZE
    assert f'Carried forward to page 2 EUR</th><th class="number">{format_money(carried)}' in first
    assert "from=all&amp;page=2" in first
    assert (
        f'Balance brought forward from page 1</td><td></td><td></td><td class="number">{format_money(carried)}'
        in second
    )
    assert second.count("General payment") == 10
    assert f'Closing balance EUR</th><th class="number">{format_money(carried - 10)}' in second


@pytest.mark.django_db
def test_the_statement_page_makes_as_many_queries_for_a_long_history_as_for_a_short_one(
    owner_client: HttpClient, organization: Organization
):
    short, long = make_client(organization), make_client(organization)
    general_payments(short, 2)
    general_payments(long, 3 * PAGE_SIZE)
    make_invoice(organization, long, issue_date=datetime.date(2025, 6, 1))
    counts = []
    for client, page in ((short, "1"), (long, "1"), (long, "2")):
        url = reverse("invoices:client_statement", args=[client.pk])
        owner_client.get(url, {"from": "all", "page": page})  # the session and caches are warm
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(url, {"from": "all", "page": page})
        assert response.status_code == 200
        counts.append(len(queries))

    # The signed-in user, the client, the page's rows and the balance brought forward.
    assert counts == [4, 4, 4]


@pytest.mark.django_db
def test_a_repeat_view_of_the_statement_shows_every_change_since(owner_client: HttpClient, organization: Organization):
    client = make_client(organization, name="Brasserie Dupont", opening_balance=D("10.00"))
    invoice = make_invoice(organization, client, issue_date=JAN_5)  # 121.00
    url = reverse("invoices:client_statement", args=[client.pk])
    before = owner_client.get(url, {"from": "all"}).content.decode()

    pay(invoice, "21.00", on=JAN_20)
    client.name = "Brasserie Janssens"
    services.save_client(client, organization=organization)
    after = owner_client.get(url, {"from": "all"}).content.decode()

    assert "Statement of Brasserie Dupont" in before and f"Payment on {invoice.number}" not in before
    assert f'Closing balance EUR</th><th class="number">{format_money(131)}' in before
    assert "Statement of Brasserie Janssens" in after and "Brasserie Dupont" not in after
    assert f"Payment on {invoice.number}" in after
    assert f'Closing balance EUR</th><th class="number">{format_money(110)}' in after
