"""A provider's payout arriving in the bank is recognised: reconciliation leaves it alone, so the
invoices paid online are not paid a second time by it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from banking import reconciliation
from banking.models import Match
from core.models import AuditEvent, Organization
from invoices.models import Invoice, Payment
from payments.links import public_invoice_path
from payments.models import OnlinePayment, PaymentProviderAccount, Settlement
from payments.settlements import fetch_all_settlements, fetch_settlements, is_settlement
from sandboxes.mollie import MollieSandbox
from sandboxes.paystack import PaystackSandbox
from tests.factories import add_transactions, make_bank_account, make_client, make_invoice

DAY = datetime.date(2026, 3, 20)


def _pay_online(client: Client, invoice: Invoice, complete: object) -> OnlinePayment:
    assert client.post(f"{public_invoice_path(invoice)}checkout/").status_code == 302
    online = OnlinePayment.objects.get(invoice=invoice)
    complete(online.provider_id)  # type: ignore[operator]
    return online


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("site")
def test_a_mollie_payout_quoting_its_reference_is_not_reconciled(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization, payment_reference="")
    _pay_online(client, invoice, lambda pid: mollie_sandbox.complete(pid, "paid"))
    settlement = mollie_sandbox.settle()
    value = str(settlement["amount"]["value"])  # type: ignore[index]
    still_open = make_invoice(organization, invoice.client)
    account = make_bank_account(organization)
    # The payout names invoices (Mollie's report could): it pays neither of them.
    (row,) = add_transactions(
        account,
        (DAY, value),
        counterpart_name="Stichting Mollie Payments",
        remittance_information=f"{settlement['settlement_bank_description']} {invoice.number} {still_open.number}",
    )

    reconciliation.reconcile(organization.pk)

    assert not Match.objects.filter(transaction=row).exists()
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert not Payment.objects.filter(invoice=still_open).exists()
    recorded = Settlement.objects.get(bank_transaction=row)
    assert recorded.reference == settlement["reference"]
    assert recorded.amount == Decimal(value)
    assert AuditEvent.objects.filter(action="bank_transaction.provider_settlement", target_id=str(row.pk)).count() == 1
    reconciliation.reconcile(organization.pk)
    assert AuditEvent.objects.filter(action="bank_transaction.provider_settlement").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_paystack_payout_of_a_fetched_settlement_is_recognised_by_its_amount(
    client: Client,
    organization: Organization,
    paystack_sandbox: PaystackSandbox,
    paystack_account: PaymentProviderAccount,
) -> None:
    invoice = make_invoice(organization, make_client(organization, currency="NGN"))
    _pay_online(client, invoice, lambda reference: paystack_sandbox.complete(reference, "success"))
    settlement = paystack_sandbox.settle()
    assert fetch_settlements(paystack_account) == 1
    assert fetch_settlements(paystack_account) == 0
    stored = Settlement.objects.get(organization=organization)
    assert stored.amount == Decimal(int(settlement["total_amount"])) / 100  # type: ignore[call-overload]
    account = make_bank_account(organization, currency="NGN")
    (row,) = add_transactions(account, (DAY, str(stored.amount)), counterpart_name="PAYSTACK PAYMENTS LTD")

    assert is_settlement(row)
    assert Settlement.objects.get(pk=stored.pk).bank_transaction_id == row.pk
    assert str(settlement["id"]) == stored.provider_id


@pytest.mark.django_db
def test_ordinary_transfers_are_not_settlements(organization: Organization) -> None:
    account = make_bank_account(organization)
    rows = add_transactions(
        account,
        (DAY, "121.00"),
        (DAY, "-50.00"),
        (DAY, "30.00"),
        counterpart_name="Brasserie Dupont",
        remittance_information="invoice 2026.0312.01",  # the shape of a Mollie reference, not from Mollie
    )
    assert [is_settlement(row) for row in rows] == [False, False, False]
    assert not Settlement.objects.exists()


@pytest.mark.django_db
def test_another_organisations_settlement_is_not_claimed(
    organization: Organization, other_organization: Organization
) -> None:
    Settlement.objects.create(
        organization=other_organization,
        provider="paystack",
        provider_id="77",
        reference="77",
        amount=Decimal("99.00"),
        currency="EUR",
    )
    (row,) = add_transactions(
        make_bank_account(organization), (DAY, "99.00"), counterpart_name="Paystack", remittance_information="77"
    )
    assert not is_settlement(row)


@pytest.mark.django_db
def test_a_settlement_reference_inside_a_longer_one_does_not_claim_its_payout(organization: Organization) -> None:
    """Paystack's references are its ids: settlement 12 must not take the payout of 1234, or 12's
    own payout, found by neither, would be reconciled against invoices already paid online."""
    for provider_id, amount in (("12", "50.00"), ("1234", "80.00")):
        Settlement.objects.create(
            organization=organization,
            provider="paystack",
            provider_id=provider_id,
            reference=provider_id,
            amount=Decimal(amount),
            currency="NGN",
        )
    account = make_bank_account(organization, currency="NGN")
    (long_one,) = add_transactions(account, (DAY, "80.00"), remittance_information="PAYSTACK SETTLEMENT 1234")
    (short_one,) = add_transactions(account, (DAY, "50.00"), remittance_information="PAYSTACK SETTLEMENT 12")

    assert is_settlement(long_one)
    assert is_settlement(short_one)
    assert Settlement.objects.get(provider_id="1234").bank_transaction_id == long_one.pk
    assert Settlement.objects.get(provider_id="12").bank_transaction_id == short_one.pk


@pytest.mark.django_db
def test_a_payout_is_matched_to_a_settlement_of_the_provider_it_names(organization: Organization) -> None:
    Settlement.objects.create(
        organization=organization,
        provider="paystack",
        provider_id="2612",
        reference="2612",
        amount=Decimal("10.00"),
        currency="EUR",
    )
    (row,) = add_transactions(
        make_bank_account(organization),
        (DAY, "75.20"),
        counterpart_name="Stichting Mollie Payments",
        remittance_information="Mollie settlement 1234567.2612.01",
    )
    assert is_settlement(row)
    claimed = Settlement.objects.get(bank_transaction=row)
    assert (claimed.provider, claimed.reference) == ("mollie", "1234567.2612.01")


@pytest.mark.django_db(transaction=True)
def test_a_turned_off_paystack_accounts_last_payout_is_still_fetched(
    client: Client,
    organization: Organization,
    paystack_sandbox: PaystackSandbox,
    paystack_account: PaymentProviderAccount,
) -> None:
    """Paystack pays out a day or more after the payments: an owner who switches to Mollie
    meanwhile still gets that payout recognised, not reconciled against invoices paid online."""
    invoice = make_invoice(organization, make_client(organization, currency="NGN"))
    _pay_online(client, invoice, lambda reference: paystack_sandbox.complete(reference, "success"))
    paystack_account.enabled = False
    paystack_account.save()
    PaymentProviderAccount.objects.create(organization=organization, provider="mollie", secret_key="test_" + "m" * 30)
    settlement = paystack_sandbox.settle()

    assert fetch_all_settlements() == 1
    assert Settlement.objects.get(organization=organization).provider_id == str(settlement["id"])
