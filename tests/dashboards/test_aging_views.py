"""The aging drill-down: exactly the open invoices of one bucket, of one client or all, tenancy,
roles, and a page cost that does not grow with the number of invoices."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from core.formatting import format_money
from core.models import Organization, Role
from dashboards.views.aging import bucket_url
from invoices import services
from invoices.models import Client, Invoice, InvoiceStatus
from tests.factories import make_client, make_invoice, make_lines, member, pay
from tests.helpers import logged_in_client

D = Decimal
TODAY = datetime.date(2026, 6, 15)
NOON = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))
MAX_QUERIES = 4


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def invoice(organization: Organization, client: Client, amount: str, due: int, **fields) -> Invoice:
    """An invoice of `amount` without VAT, issued 100 days ago and due `due` days before today."""
    return make_invoice(
        organization,
        client,
        lines=make_lines(("1", amount, "0")),
        issue_date=days_ago(100),
        due_date=days_ago(due),
        **fields,
    )


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def alpha(organization: Organization) -> Client:
    return make_client(organization, name="Alpha")


@pytest.fixture
def beta(organization: Organization) -> Client:
    return make_client(organization, name="Beta")


@pytest.fixture
def one_to_thirty(organization: Organization, other_organization: Organization, alpha: Client, beta: Client):
    """The open EUR invoices 1-30 days past due, by due date; and others that are not."""
    partly_paid = invoice(organization, alpha, "300.00", due=30)
    pay(partly_paid, "120.00", on=days_ago(2))
    in_bucket = [
        partly_paid,
        invoice(organization, beta, "50.00", due=15),
        invoice(organization, alpha, "200.00", due=1),
    ]
    Invoice.objects.filter(pk=in_bucket[1].pk).update(status=InvoiceStatus.OVERDUE)
    # Other buckets, settled, a draft, cancelled, deleted, dollars, another organisation's.
    invoice(organization, alpha, "100.00", due=0)
    invoice(organization, alpha, "400.00", due=31)
    pay(invoice(organization, beta, "70.00", due=10), "70.00", on=days_ago(1))
    invoice(organization, beta, "80.00", due=3, sent=False)
    services.cancel_invoice(invoice(organization, alpha, "90.00", due=4))
    services.soft_delete(invoice(organization, beta, "60.00", due=5))
    invoice(organization, alpha, "555.00", due=6, currency="USD")
    invoice(other_organization, make_client(other_organization), "444.00", due=7)
    return in_bucket


def test_bucket_url_links_a_bucket_of_a_client_in_a_currency():
    assert bucket_url("31_60") == "/dashboard/aging/31_60/?currency=EUR"
    assert bucket_url("over_90", client_id=7, currency="USD") == "/dashboard/aging/over_90/?currency=USD&client=7"
    with pytest.raises(ValueError, match="Unknown aging bucket"):
        bucket_url("30_60")


@pytest.mark.django_db
def test_drilldown_lists_exactly_the_open_invoices_of_the_bucket(owner_client: HttpClient, one_to_thirty):
    response = owner_client.get(bucket_url("1_30"))

    assert response.status_code == 200
    assert list(response.context["page"]) == one_to_thirty  # sorted by due date
    assert response.context["total"] == D("430.00") and response.context["count"] == 3  # 180 + 50 + 200
    page = response.content.decode()
    for listed in one_to_thirty:
        assert f'href="{listed.get_absolute_url()}"' in page
    assert format_money(D("430.00")) in page


@pytest.mark.django_db
def test_drilldown_of_one_client(owner_client: HttpClient, one_to_thirty, alpha: Client):
    response = owner_client.get(bucket_url("1_30", client_id=alpha.pk))

    assert list(response.context["page"]) == [one_to_thirty[0], one_to_thirty[2]]
    assert response.context["total"] == D("380.00") and response.context["count"] == 2
    assert "· Alpha</h1>" in response.content.decode()


@pytest.mark.django_db
def test_drilldown_in_another_currency(owner_client: HttpClient, one_to_thirty):
    response = owner_client.get(bucket_url("1_30", currency="USD"))

    assert [listed.total for listed in response.context["page"]] == [D("555.00")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bucket", "due", "expected"),
    [
        ("current", 0, True),
        ("1_30", 1, True),
        ("1_30", 0, False),
        ("31_60", 31, True),
        ("31_60", 61, False),
        ("61_90", 90, True),
        ("over_90", 91, True),
        ("over_90", 90, False),
    ],
)
def test_drilldown_bucket_edges(owner_client: HttpClient, organization: Organization, alpha, bucket, due, expected):
    edge = invoice(organization, alpha, "10.00", due=due)

    listed = list(owner_client.get(bucket_url(bucket)).context["page"])

    assert listed == ([edge] if expected else [])


@pytest.mark.django_db
def test_unknown_bucket_is_not_found(owner_client: HttpClient):
    assert owner_client.get(reverse("dashboards:aging_bucket", args=["1_31"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["client=abc", "client=%C2%B2", "client=99999999999999999999", "currency=euro"])
def test_malformed_filters_are_not_found(owner_client: HttpClient, query: str):
    assert owner_client.get(f"{reverse('dashboards:aging_bucket', args=['1_30'])}?{query}").status_code == 404


@pytest.mark.django_db
def test_client_of_another_organisation_is_not_found(owner_client: HttpClient, other_organization: Organization):
    theirs = make_client(other_organization, name="Theirs")
    invoice(other_organization, theirs, "444.00", due=7)

    assert owner_client.get(bucket_url("1_30", client_id=theirs.pk)).status_code == 404


@pytest.mark.django_db
def test_viewer_can_read(organization: Organization, one_to_thirty):
    viewer = logged_in_client(member(organization, Role.VIEWER))

    response = viewer.get(bucket_url("1_30"))

    assert response.status_code == 200 and len(response.context["page"]) == 3


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client: HttpClient):
    response = client.get(bucket_url("1_30"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_stranger_sees_nothing_of_the_organisation(other_organization: Organization, one_to_thirty):
    stranger = logged_in_client(member(other_organization, Role.OWNER))

    response = stranger.get(bucket_url("1_30"))

    assert [listed.total for listed in response.context["page"]] == [D("444.00")]


def bulk_invoices(organization: Organization, client: Client, count: int, due: int) -> None:
    """Many open invoices of 10.00 due `due` days ago, written directly (the services are slow for this)."""
    Invoice.objects.bulk_create(
        Invoice(
            organization=organization,
            client=client,
            number=f"BULK-{n:05}",
            issue_date=days_ago(100),
            due_date=days_ago(due),
            status=InvoiceStatus.SENT,
            total=D("10.00"),
            subtotal=D("10.00"),
            balance_due=D("10.00"),
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_drilldown_pages_within_the_query_budget(
    owner_client: HttpClient, organization: Organization, alpha: Client, django_assert_max_num_queries
):
    bulk_invoices(organization, alpha, 120, due=45)
    assert owner_client.get(reverse("home")).status_code == 200  # sessions and memberships warmed up

    with django_assert_max_num_queries(MAX_QUERIES):
        first = owner_client.get(bucket_url("31_60", client_id=alpha.pk))
    with django_assert_max_num_queries(MAX_QUERIES):
        last = owner_client.get(bucket_url("31_60") + "&page=3")

    assert len(first.context["page"]) == 50 and first.context["page"].has_next
    assert first.context["total"] == D("1200.00") and first.context["count"] == 120
    assert len(last.context["page"]) == 20 and not last.context["page"].has_next
    assert "page=2" in last.content.decode()
