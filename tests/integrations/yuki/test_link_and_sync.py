"""Linking Yuki and syncing an administration, checked against the sandbox's ground truth."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection as db
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from banking.models import BankTransaction, Bill
from integrations.errors import FailureClass
from integrations.models import Connection, ConnectionStatus, QuotaUsage, SyncStatus
from integrations.runner import run_sync
from invoices.models import Invoice, InvoiceStatus
from sandboxes.yuki import BE_ACCESS_KEY, NL_ACCESS_KEY, YukiSandbox
from tests.integrations.yuki.conftest import amounts, link_yuki, main_truth

pytestmark = pytest.mark.django_db
TODAY = str(datetime.date.today())


def synced(connection: Connection) -> None:
    run = run_sync(connection.pk)
    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message


def assert_matches(sandbox: YukiSandbox, connection: Connection) -> None:
    truth = main_truth(sandbox)
    receivables = {i["id"]: i for i in truth["openDebtorItems"] if i["typeId"] == 6}
    payables = {i["id"]: i for i in truth["openCreditorItems"] if i["typeId"] == 2}
    mirrored = {
        i.external_id: i.balance_due for i in Invoice.objects.filter(source="yuki").exclude(status=InvoiceStatus.PAID)
    }
    assert mirrored == amounts(list(receivables.values()))
    bills = {b.external_id: b.open_amount for b in Bill.objects.open()}
    assert bills == amounts(list(payables.values()))
    for account in truth["glAccounts"]:
        if account["code"] in ("550000", "570000"):
            stored = BankTransaction.objects.filter(account__external_id=f"gl:{account['code']}")
            assert stored.count() == account["count"], account["code"]
            assert sum(stored.values_list("amount", flat=True), Decimal(0)) == Decimal(account["sum"])
            assert {t.external_id for t in stored} == {t["id"] for t in account["transactions"]}


def test_linking_with_a_good_key_lists_the_administrations_and_stores_the_key_encrypted(
    owner_client: Client, yuki: YukiSandbox
):
    connection = link_yuki(owner_client, yuki)

    assert connection.status == ConnectionStatus.ACTIVE
    assert Schedule.objects.filter(name=f"sync connection {connection.pk}").exists()
    assert connection.config["administration_id"] == yuki.administration.id
    assert connection.config["region"] == "BE"
    with db.cursor() as cursor:
        cursor.execute("SELECT api_key FROM integrations_credential")
        (stored,) = cursor.fetchone()
    assert BE_ACCESS_KEY not in stored


@pytest.mark.parametrize(("key", "region"), [("not-a-key", "BE"), (NL_ACCESS_KEY, "BE"), (BE_ACCESS_KEY, "NL")])
def test_a_bad_or_wrong_region_key_gets_a_clear_message(owner_client: Client, yuki: YukiSandbox, key, region):
    response = owner_client.post(reverse("integrations:yuki_connect"), {"access_key": key, "region": region})

    assert response.status_code == 200
    assert "a Belgian key only works on the Belgian host" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_full_sync_equals_the_ground_truth_and_a_second_changes_nothing(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)

    synced(connection)
    assert_matches(yuki, connection)
    before = sorted(Invoice.objects.values_list("external_id", "balance_due", "status"))
    transactions_before = BankTransaction.objects.count()
    second = run_sync(connection.pk)

    assert second is not None and (second.rows_added, second.rows_updated) == (0, 0)
    assert sorted(Invoice.objects.values_list("external_id", "balance_due", "status")) == before
    assert BankTransaction.objects.count() == transactions_before
    assert_matches(yuki, connection)


def test_incremental_sync_adds_updates_and_removes_deleted_transactions(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    synced(connection)
    truth = main_truth(yuki)
    bank = next(a for a in truth["glAccounts"] if a["code"] == "550000")
    doomed = bank["transactions"][-1]["id"]
    yuki.delete_transaction(doomed)
    yuki.add_transactions(
        yuki.administration.id,
        [
            {
                "glAccountCode": "550000",
                "amount": "250.00",
                "description": "Late deposit",
                "date": str(timezone.localdate()),
            }
        ],
    )

    synced(connection)

    assert not BankTransaction.objects.filter(external_id=doomed).exists()
    assert BankTransaction.objects.filter(description="Late deposit").count() == 1
    assert_matches(yuki, connection)


def test_items_leaving_the_open_lists_are_settled(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    synced(connection)
    truth = main_truth(yuki)
    receivable = next(i for i in truth["openDebtorItems"] if i["typeId"] == 6)
    payable = next(i for i in truth["openCreditorItems"] if i["typeId"] == 2)
    yuki.settle_item(receivable["id"], {})
    yuki.settle_item(payable["id"], {})

    synced(connection)

    assert Invoice.objects.get(source="yuki", external_id=receivable["id"]).status == InvoiceStatus.PAID
    bill = Bill.objects.get(external_id=payable["id"])
    assert bill.settled_on == timezone.localdate()
    assert_matches(yuki, connection)


def test_the_quota_stops_a_sync_which_resumes_the_next_day(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    Connection.objects.filter(pk=connection.pk).update(config={**connection.config, "daily_call_budget": 6})

    stopped = run_sync(connection.pk)

    connection.refresh_from_db()
    assert stopped is not None and stopped.status == SyncStatus.FAILED
    assert stopped.error_class == FailureClass.TRANSIENT and "budget" in stopped.error_message
    assert QuotaUsage.objects.get().calls == 6
    assert connection.next_run_at is not None and connection.next_run_at > timezone.now() + datetime.timedelta(
        minutes=1
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        Connection.objects.filter(pk=connection.pk).update(config={**connection.config, "daily_call_budget": 100})
        synced(connection)
    assert_matches(yuki, connection)


def test_an_invalid_key_needs_reauth(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    yuki.add_fault({"kind": "invalid_key", "times": None})

    run = run_sync(connection.pk)

    connection.refresh_from_db()
    assert run is not None and run.error_class == FailureClass.AUTH
    assert connection.status == ConnectionStatus.NEEDS_REAUTH


def test_an_expired_session_is_renewed_once_and_the_sync_succeeds(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    synced(connection)
    yuki.add_fault({"kind": "expired_session", "times": 1})

    synced(connection)


@pytest.mark.parametrize("kind", ["500", "timeout", "malformed"])
def test_a_lasting_fault_fails_without_half_writing(owner_client: Client, yuki: YukiSandbox, kind: str):
    connection = link_yuki(owner_client, yuki)
    yuki.add_fault({"kind": kind, "operation": "GLAccountTransactions", "after": 3, "times": None, "seconds": 3})

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.FAILED
    # Months read before the fault are kept with their progress mark; the rest follows next time.
    connection.refresh_from_db()
    assert connection.config.get("ledger_months_done") == "partial"
    yuki.faults.clear()
    synced(connection)
    assert_matches(yuki, connection)


def test_contacts_enrich_the_clients_made_from_receivables(owner_client: Client, yuki: YukiSandbox):
    from invoices.models import Client as BillingClient

    connection = link_yuki(owner_client, yuki)
    synced(connection)

    with_codes = BillingClient.objects.exclude(external_code="")
    assert with_codes.exists()
    # The address comes only from the contact list (open items carry none): enrichment happened.
    assert with_codes.exclude(city="").count() == with_codes.count()
    connection.refresh_from_db()
    assert connection.config["contacts_synced_on"] == str(timezone.localdate())


def test_a_new_key_re_authorises_the_link(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.NEEDS_REAUTH)
    url = reverse("integrations:yuki_replace_key", args=[connection.pk])

    wrong = owner_client.post(url, {"access_key": NL_ACCESS_KEY, "region": "NL"})
    right = owner_client.post(url, {"access_key": "sandbox-yuki-key-be-admin", "region": "BE"})

    assert "does not reach the linked administration" in wrong.content.decode()
    assert right.status_code == 302
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    synced(connection)
