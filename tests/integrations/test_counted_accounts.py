"""Which accounts and bills the figures count: only linked, synced connections, each IBAN once."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from banking import reconciliation, sources
from banking.models import BankTransaction, Bill
from core.models import AuditEvent, Role
from dashboards.state import state_for
from integrations.models import Connection, ConnectionStatus, Provider
from invoices.models import InvoiceStatus
from invoices.references import format_reference
from tests.factories import add_transactions, make_bank_account, make_connection, make_invoice, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

IBAN = "BE68539007547034"
SYNCED = timezone.make_aware(datetime.datetime(2026, 3, 1, 6, 0))

# (status, synced before) -> counted
STATUSES = [
    (ConnectionStatus.ACTIVE, True, True),
    (ConnectionStatus.NEEDS_REAUTH, True, True),
    (ConnectionStatus.ERROR, True, True),  # a failing link keeps the data it synced
    (ConnectionStatus.PENDING, False, False),
    (ConnectionStatus.ERROR, False, False),  # failed before its first complete sync
    (ConnectionStatus.DISCONNECTED, True, False),
]


def position(client) -> dict[str, Any]:
    response = client.get(reverse("dashboards:chart_json", args=["position"]))
    assert response.status_code == 200, response.content
    data: dict[str, Any] = json.loads(response.content)
    return data


def linked(organization, status=ConnectionStatus.ACTIVE, provider=Provider.PONTO, name="Ponto · KBC", **fields):
    fields.setdefault("last_success_at", SYNCED)
    return make_connection(organization, status=status, provider=provider, display_name=name, **fields)


@pytest.mark.parametrize(("status", "synced", "counted"), STATUSES)
def test_only_linked_and_synced_connections_count_in_the_cash_position(
    organization, owner_client, status, synced, counted
):
    make_bank_account(organization, "100.00", connection=linked(organization), iban="BE71096123456769")
    other = linked(organization, status=status, name="Ponto · other", last_success_at=SYNCED if synced else None)
    make_bank_account(organization, "1000.00", connection=other)

    data = position(owner_client)

    assert Decimal(data["summary"]["total"]) == (Decimal("1100.00") if counted else Decimal("100.00"))
    assert data["summary"]["accounts"] == (2 if counted else 1)


@pytest.mark.parametrize(("status", "synced", "counted"), STATUSES)
def test_only_counted_connections_bills_are_payables(organization, owner_client, status, synced, counted):
    connection = linked(organization, status=status, provider=Provider.YUKI, last_success_at=SYNCED if synced else None)
    Bill.objects.create(
        organization=organization,
        connection=connection,
        external_id="b1",
        supplier="Landlord",
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        original_amount=Decimal("900.00"),
        open_amount=Decimal("900.00"),
    )

    response = owner_client.get(reverse("dashboards:chart_json", args=["payables"]))

    summary = json.loads(response.content)["summary"]
    assert Decimal(summary["total"]) == (Decimal("900.00") if counted else Decimal("0.00"))


@pytest.mark.parametrize(("status", "synced", "counted"), STATUSES)
def test_only_counted_accounts_payments_are_reconciled(organization, status, synced, counted):
    invoice = make_invoice(organization)
    connection = linked(organization, status=status, last_success_at=SYNCED if synced else None)
    account = make_bank_account(organization, connection=connection)
    add_transactions(
        account,
        (invoice.issue_date, "121.00"),
        remittance_information=format_reference(invoice.payment_reference),
        remittance_information_type="structured",
    )

    reconciliation.reconcile(organization.pk)

    invoice.refresh_from_db()
    assert (invoice.status == InvoiceStatus.PAID) is counted


def test_the_model_and_the_query_agree_on_what_counts(organization):
    for status, synced, _ in STATUSES:
        linked(organization, status=status, last_success_at=SYNCED if synced else None)
    counted_by_query = set(Connection.objects.counted().values_list("pk", flat=True))
    assert counted_by_query == {c.pk for c in Connection.objects.all() if c.is_counted}
    assert len(counted_by_query) == sum(counted for _, _, counted in STATUSES)


# --- one bank account linked twice ---------------------------------------------------------


def test_an_iban_linked_through_ponto_and_yuki_counts_once_from_ponto(organization, owner_client):
    yuki = linked(organization, provider=Provider.YUKI, name="Yuki · Acme")
    make_bank_account(organization, "980.00", connection=yuki, iban="be68 5390 0754 7034", name="Ledger 550000")
    ponto = make_bank_account(organization, "1000.00", connection=linked(organization), iban=IBAN)

    data = position(owner_client)

    assert Decimal(data["summary"]["total"]) == Decimal("1000.00")
    (row,) = data["rows"]
    assert row["iban"] == ponto.iban
    assert row["source"] == "Ponto · Ponto · KBC (also linked through Yuki · Acme: counted once, from here)"


def test_two_ponto_links_of_one_account_count_it_once(organization, owner_client):
    first = make_bank_account(organization, "1000.00", connection=linked(organization, name="Ponto · first"), iban=IBAN)
    make_bank_account(organization, "1000.00", connection=linked(organization, name="Ponto · second"), iban=IBAN)

    assert [a.pk for a in sources.counted_accounts(organization.pk)] == [first.pk]
    assert Decimal(position(owner_client)["summary"]["total"]) == Decimal("1000.00")


def test_a_payment_seen_through_two_links_is_reconciled_once(organization):
    invoice = make_invoice(organization)
    reference = {
        "remittance_information": format_reference(invoice.payment_reference),
        "remittance_information_type": "structured",
    }
    yuki_account = make_bank_account(organization, connection=linked(organization, provider=Provider.YUKI), iban=IBAN)
    ponto_account = make_bank_account(organization, connection=linked(organization), iban=IBAN)
    (from_ponto,) = add_transactions(ponto_account, (invoice.issue_date, "121.00"), **reference)
    (from_yuki,) = add_transactions(yuki_account, (invoice.issue_date, "121.00"), **reference)

    result = reconciliation.reconcile(organization.pk)

    assert (result.applied, result.suggested) == (1, 0)
    reconciled = BankTransaction.objects.filter(reconciliation__isnull=False).values_list("pk", flat=True)
    assert list(reconciled) == [from_ponto.pk]
    assert from_yuki.pk not in reconciled


def test_the_user_picks_the_source_on_the_connection_page(
    organization, owner_client, django_capture_on_commit_callbacks
):
    yuki = linked(organization, provider=Provider.YUKI, name="Yuki · Acme")
    ledger = make_bank_account(organization, "980.00", connection=yuki, iban=IBAN, name="Ledger 550000")
    make_bank_account(organization, "1000.00", connection=linked(organization), iban=IBAN)
    page = owner_client.get(yuki.get_absolute_url()).content.decode()
    assert "Accounts linked more than once" in page and "Count from this connection" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("integrations:account_source", args=[ledger.pk]))

    assert response.status_code == 302 and response["Location"] == yuki.get_absolute_url()
    data = position(owner_client)
    assert Decimal(data["summary"]["total"]) == Decimal("980.00")
    assert data["rows"][0]["source"].startswith("Yuki · Yuki · Acme (also linked through Ponto · KBC")
    event = AuditEvent.objects.get(action="connection.account_source_chosen")
    assert event.after == {"iban": IBAN, "source": ["Yuki · Acme"]}
    assert "<strong>this connection</strong>" in owner_client.get(yuki.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE])
def test_only_admins_pick_the_source(organization, role):
    account = make_bank_account(organization, connection=linked(organization), iban=IBAN)
    client = logged_in_client(member(organization, role))

    response = client.post(reverse("integrations:account_source", args=[account.pk]))

    assert response.status_code == 403
    account.refresh_from_db()
    assert not account.preferred_source


def test_an_account_without_iban_cannot_be_a_source(organization, owner_client):
    account = make_bank_account(organization, connection=linked(organization), iban="")

    response = owner_client.post(reverse("integrations:account_source", args=[account.pk]), follow=True)

    assert "This account has no IBAN" in response.content.decode()
    account.refresh_from_db()
    assert not account.preferred_source


def test_one_iban_in_two_currencies_is_two_accounts(organization):
    ponto = linked(organization)
    euro = make_bank_account(organization, "1000.00", connection=ponto, iban=IBAN)
    dollar = make_bank_account(organization, "500.00", connection=ponto, iban=IBAN, currency="USD")
    ledger = make_bank_account(
        organization, "990.00", connection=linked(organization, provider=Provider.YUKI), iban=IBAN
    )

    counted = sources.counted_accounts(organization.pk)

    assert {a.pk for a in counted} == {euro.pk, dollar.pk}
    assert ledger.pk not in {a.pk for a in counted}


@pytest.mark.parametrize("field", ["accounts", "iban-²", "iban-99999999999999999999"])
def test_a_crafted_account_field_is_refused_not_a_500(organization, owner_client, field):
    connection = linked(organization, provider=Provider.YUKI)
    make_bank_account(organization, connection=connection, iban="", subtype="ledger")

    response = owner_client.post(connection.get_absolute_url(), {field: "²"})

    assert response.status_code == 302


def test_a_payment_synced_before_its_connection_counted_is_reconciled_once_it_does(organization):
    invoice = make_invoice(organization)
    failing = linked(organization, status=ConnectionStatus.ERROR, last_success_at=None)
    late = make_bank_account(organization, connection=failing)
    (payment,) = add_transactions(
        late,
        (invoice.issue_date, "121.00"),
        remittance_information=format_reference(invoice.payment_reference),
        remittance_information_type="structured",
    )
    (other,) = add_transactions(
        make_bank_account(organization, connection=linked(organization)), (invoice.issue_date, "5.00")
    )
    BankTransaction.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    reconciliation.reconcile(organization.pk)  # the watermark passes the uncounted payment
    assert state_for(organization.pk).reconciled_through_id == max(payment.pk, other.pk)
    invoice.refresh_from_db()
    assert invoice.status != InvoiceStatus.PAID

    Connection.objects.filter(pk=failing.pk).update(status=ConnectionStatus.ACTIVE, last_success_at=timezone.now())
    result = reconciliation.reconcile(organization.pk)

    invoice.refresh_from_db()
    assert (result.applied, invoice.status) == (1, InvoiceStatus.PAID)
    assert reconciliation.reconcile(organization.pk).applied == 0
