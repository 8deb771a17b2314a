"""Reconciliation pages: the review list, confirm, split, reject, reverse; roles, tenancy, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from banking import reconciliation
from banking.models import Allocation, BankAccount, Match, MatchStatus
from core.formatting import format_money
from core.models import AuditEvent, Organization, Role
from invoices.models import Client, Invoice, InvoiceStatus, Payment
from tests.factories import add_transactions, make_bank_account, make_client, make_invoice, make_match, member
from tests.helpers import TestResponse, logged_in_client

pytestmark = pytest.mark.django_db

D = Decimal
IBAN = "BE71096123456769"
DAY = datetime.date(2026, 3, 20)


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization)


@pytest.fixture
def payer(organization: Organization) -> Client:
    payer = make_client(organization)
    payer.bank_accounts.create(organization=organization, iban=IBAN)
    return payer


@pytest.fixture
def invoices(organization: Organization, payer: Client) -> list[Invoice]:
    return [make_invoice(organization, payer), make_invoice(organization, payer)]  # 121.00 each


def suggested(account: BankAccount, amount: str, **fields: str) -> Match:
    """A transaction from the client's IBAN that waits for review."""
    add_transactions(account, (DAY, amount), counterpart_iban=IBAN, **fields)
    assert reconciliation.reconcile(account.organization_id).suggested == 1
    return Match.objects.get(transaction__amount=D(amount))


def balances(*invoices: Invoice) -> list[Decimal]:
    return [Invoice.objects.get(pk=invoice.pk).balance_due for invoice in invoices]


def errors_of(response: TestResponse) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def url(name: str, match: Match) -> str:
    return reverse(f"banking:{name}", args=[match.pk])


# --- the review list and the match page ------------------------------------------------------


def test_review_list_shows_suggestions_and_automatic_payments(owner_client, account, invoices):
    waiting = suggested(account, "50.00", counterpart_name="Brasserie Dupont", remittance_information="March")
    add_transactions(account, (DAY, "121.00"), remittance_information=invoices[0].number)
    reconciliation.reconcile(account.organization_id)
    applied = Match.objects.get(status=MatchStatus.APPLIED)

    response = owner_client.get(reverse("banking:reconciliation"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="match-row"') == 1
    assert url("match_detail", waiting) in page
    assert "Brasserie Dupont" in page and "March" in page and format_money(D("50.00")) in page
    assert invoices[1].number in page and format_money(D("121.00")) in page
    assert url("match_reverse", applied) in page


def test_match_page_offers_each_candidate_a_split_and_reject(owner_client, account, invoices):
    match = suggested(account, "50.00")

    response = owner_client.get(url("match_detail", match))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="confirm-match"') == 2
    assert f'name="amount-{invoices[0].pk}"' in page and f'name="amount-{invoices[1].pk}"' in page
    assert url("match_reject", match) in page and url("match_split", match) in page


def test_viewer_sees_the_review_but_no_buttons(organization, account, invoices):
    match = suggested(account, "50.00")
    viewer = logged_in_client(member(organization, Role.VIEWER))

    assert viewer.get(reverse("banking:reconciliation")).status_code == 200
    page = viewer.get(url("match_detail", match)).content.decode()
    assert 'data-testid="confirm-match"' not in page and url("match_split", match) not in page


# --- decisions -----------------------------------------------------------------------------


def test_confirm_pays_the_whole_transaction_to_one_invoice(owner_client, owner, account, invoices):
    match = suggested(account, "50.00")

    response = owner_client.post(url("match_confirm", match), {"invoice": invoices[1].pk})

    assert response.status_code == 302 and response["Location"] == reverse("banking:reconciliation")
    match.refresh_from_db()
    assert (match.status, match.decided_by, match.automatic) == (MatchStatus.APPLIED, owner, False)
    assert balances(*invoices) == [D("121.00"), D("71.00")]
    assert Allocation.objects.get(match=match).payment.amount == D("50.00")
    event = AuditEvent.objects.get(action="reconciliation.confirmed")
    assert event.before == {"status": "suggested"} and event.actor == owner


def test_confirming_twice_pays_once(owner_client, account, invoices):
    match = suggested(account, "50.00")
    owner_client.post(url("match_confirm", match), {"invoice": invoices[0].pk})

    response = owner_client.post(url("match_confirm", match), {"invoice": invoices[0].pk})

    assert response.status_code == 302 and response["Location"] == url("match_detail", match)
    assert "already applied" in errors_of(response)[0]
    assert Payment.objects.count() == 1


def test_confirm_refuses_more_than_the_balance(owner_client, account, invoices):
    match = suggested(account, "200.00")

    response = owner_client.post(url("match_confirm", match), {"invoice": invoices[0].pk}, follow=True)

    assert response.status_code == 200
    assert "more than the open amount of INV-" in response.content.decode()
    assert not Payment.objects.exists()
    assert Match.objects.get().status == MatchStatus.SUGGESTED


@pytest.mark.parametrize("invoice", ["", "abc", "-1", "999999999999999999999"])
def test_confirm_without_a_valid_invoice_is_an_error(owner_client, account, invoices, invoice):
    match = suggested(account, "50.00")

    response = owner_client.post(url("match_confirm", match), {"invoice": invoice})

    assert response.status_code == 302
    assert errors_of(response)
    assert not Payment.objects.exists()


def test_confirm_refuses_an_invoice_of_another_client(owner_client, organization, account, invoices):
    stranger = make_invoice(organization, make_client(organization, name="Someone else"))
    match = suggested(account, "50.00")

    response = owner_client.post(url("match_confirm", match), {"invoice": stranger.pk})

    assert "pick one of those offered" in errors_of(response)[0]
    assert not Payment.objects.exists()


def test_split_over_two_invoices(owner_client, account, invoices):
    match = suggested(account, "150.00")

    response = owner_client.post(
        url("match_split", match), {f"amount-{invoices[0].pk}": "121.00", f"amount-{invoices[1].pk}": "29"}
    )

    assert response.status_code == 302 and not errors_of(response)
    assert balances(*invoices) == [D("0.00"), D("92.00")]
    assert Invoice.objects.get(pk=invoices[0].pk).status == InvoiceStatus.PAID
    allocations = Allocation.objects.filter(match=match).order_by("invoice_id")
    assert [(a.invoice_id, a.amount, a.payment.amount) for a in allocations] == [
        (invoices[0].pk, D("121.00"), D("121.00")),
        (invoices[1].pk, D("29.00"), D("29.00")),
    ]
    assert Match.objects.get().status == MatchStatus.APPLIED
    assert AuditEvent.objects.filter(action="reconciliation.split").count() == 1


def test_split_may_pay_another_open_invoice_of_the_client(owner_client, organization, account, payer, invoices):
    match = suggested(account, "150.00", remittance_information=f"{invoices[0].number} {invoices[1].number}")
    third = make_invoice(organization, payer)
    assert url("match_split", match) in owner_client.get(url("match_detail", match)).content.decode()

    owner_client.post(url("match_split", match), {f"amount-{invoices[0].pk}": "100", f"amount-{third.pk}": "50"})

    assert balances(invoices[0], invoices[1], third) == [D("21.00"), D("121.00"), D("71.00")]


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("100.00", "40.00", f"add up to {format_money(D('140.00'))}"),
        ("121.00", "", f"add up to {format_money(D('121.00'))}"),
        ("abc", "29.00", "not a valid amount"),
        ("-1.00", "151.00", "not a valid amount"),
        ("120.999", "29.001", "not a valid amount"),
        ("150.00", "0", "not a valid amount"),
        ("", "", "Enter the amount"),
        ("29.00", "121.00", ""),  # fine: the control case
    ],
)
def test_split_with_wrong_amounts_is_an_error_and_saves_nothing(
    owner_client, account, invoices, first, second, message
):
    match = suggested(account, "150.00")

    response = owner_client.post(
        url("match_split", match), {f"amount-{invoices[0].pk}": first, f"amount-{invoices[1].pk}": second}
    )

    assert response.status_code == 302
    if not message:
        assert not errors_of(response)
        return
    assert message in errors_of(response)[0]
    assert balances(*invoices) == [D("121.00"), D("121.00")]
    assert not Payment.objects.exists() and not Allocation.objects.exists()
    assert Match.objects.get().status == MatchStatus.SUGGESTED


def test_split_refuses_more_than_an_invoices_balance(owner_client, account, invoices):
    match = suggested(account, "150.00")

    response = owner_client.post(
        url("match_split", match), {f"amount-{invoices[0].pk}": "140.00", f"amount-{invoices[1].pk}": "10.00"}
    )

    assert "more than the open amount of " + invoices[0].number in errors_of(response)[0]
    assert not Payment.objects.exists()


def test_reject(owner_client, owner, account, invoices):
    match = suggested(account, "50.00")

    response = owner_client.post(url("match_reject", match))

    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.REJECTED, owner)
    assert AuditEvent.objects.filter(action="reconciliation.rejected", target_id=str(match.pk)).exists()
    assert b"Nothing to review" in owner_client.get(reverse("banking:reconciliation")).content
    assert balances(*invoices) == [D("121.00"), D("121.00")]


def test_reverse_restores_the_invoice_balance(owner_client, owner, account, invoices):
    add_transactions(account, (DAY, "121.00"), remittance_information=invoices[0].number)
    reconciliation.reconcile(account.organization_id)
    match = Match.objects.get()
    assert balances(invoices[0]) == [D("0.00")]

    response = owner_client.post(url("match_reverse", match))

    assert response.status_code == 302 and not errors_of(response)
    assert balances(invoices[0]) == [D("121.00")]
    assert Invoice.objects.get(pk=invoices[0].pk).is_open
    assert not Payment.objects.exists() and Payment.all_objects.count() == 1
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.REVERSED, owner)
    event = AuditEvent.objects.get(action="reconciliation.reversed")
    assert (event.before["status"], event.after, event.actor) == ("applied", {"status": "reversed"}, owner)
    assert AuditEvent.objects.filter(action="payment.deleted").count() == 1
    # A reversed match waits for review again: pay the right invoice, or reject it.
    owner_client.post(url("match_confirm", match), {"invoice": invoices[1].pk})
    assert balances(*invoices) == [D("121.00"), D("0.00")]


def test_reverse_twice_is_an_error(owner_client, account, invoices):
    add_transactions(account, (DAY, "121.00"), remittance_information=invoices[0].number)
    reconciliation.reconcile(account.organization_id)
    match = Match.objects.get()
    owner_client.post(url("match_reverse", match))

    response = owner_client.post(url("match_reverse", match))

    assert "already reversed" in errors_of(response)[0]
    assert balances(invoices[0]) == [D("121.00")]


def test_reverse_of_a_suggestion_is_an_error(owner_client, account, invoices):
    match = suggested(account, "50.00")

    response = owner_client.post(url("match_reverse", match))

    assert "waiting for review" in errors_of(response)[0]


# --- roles, tenancy, cost ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["match_confirm", "match_split", "match_reject", "match_reverse"])
def test_viewer_cannot_decide(organization, account, invoices, name):
    match = suggested(account, "50.00")
    viewer = logged_in_client(member(organization, Role.VIEWER))

    response = viewer.post(url(name, match), {"invoice": invoices[0].pk, f"amount-{invoices[0].pk}": "50.00"})

    assert response.status_code == 403
    assert Match.objects.get().status == MatchStatus.SUGGESTED


def test_finance_can_decide(organization, account, invoices):
    match = suggested(account, "50.00")
    finance = logged_in_client(member(organization, Role.FINANCE))

    finance.post(url("match_confirm", match), {"invoice": invoices[0].pk})

    assert Match.objects.get().status == MatchStatus.APPLIED


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("match_detail", "get"),
        ("match_confirm", "post"),
        ("match_split", "post"),
        ("match_reject", "post"),
        ("match_reverse", "post"),
    ],
)
def test_other_organizations_match_is_404(owner_client, other_organization, name, method):
    theirs = make_match(other_organization)
    invoice = theirs.candidates.get()

    response = getattr(owner_client, method)(url(name, theirs), {"invoice": invoice.pk})

    assert response.status_code == 404
    assert Match.objects.get(pk=theirs.pk).status == MatchStatus.SUGGESTED


def test_other_organizations_matches_are_not_listed(owner_client, other_organization):
    make_match(other_organization)

    page = owner_client.get(reverse("banking:reconciliation")).content.decode()

    assert 'data-testid="match-row"' not in page


def test_another_organizations_invoice_cannot_be_paid(owner_client, organization, other_organization, account):
    ours = make_match(organization)
    theirs = make_match(other_organization).candidates.get()

    response = owner_client.post(url("match_confirm", ours), {"invoice": theirs.pk})

    assert errors_of(response)
    assert Invoice.objects.get(pk=theirs.pk).balance_due == D("121.00")


@pytest.mark.parametrize("count", [2, 12])
def test_list_query_count_is_bounded(owner_client, organization, account, payer, count, django_assert_max_num_queries):
    for n in range(count):
        make_invoice(organization, payer)
        add_transactions(account, (DAY, f"{n + 1}.00"), counterpart_iban=IBAN)
        add_transactions(account, (DAY, "121.00"), remittance_information=f"INV-2026-{n + 1:04d}")
    reconciliation.reconcile(organization.pk)
    assert Match.objects.filter(status=MatchStatus.APPLIED).count() == count
    owner_client.get(reverse("home"))  # the session and membership caches are warm, as on any later page

    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("banking:reconciliation"))

    assert response.content.decode().count('data-testid="match-row"') == count


def test_match_page_query_count_is_bounded(owner_client, organization, account, payer, django_assert_max_num_queries):
    for _ in range(8):
        make_invoice(organization, payer)
    match = suggested(account, "3.00")
    owner_client.get(reverse("home"))

    with django_assert_max_num_queries(12):
        response = owner_client.get(url("match_detail", match))

    assert response.content.decode().count('data-testid="confirm-match"') == 8
