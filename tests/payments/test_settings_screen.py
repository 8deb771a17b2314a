"""/settings/online-payment/: admins only, the key checked with the provider, stored encrypted,
shown masked, audited; each organisation sees its own account."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from core.models import AuditEvent, Organization, Role, User
from payments import accounts
from payments.models import OnlinePayment, PaymentProviderAccount, Provider, Settlement
from sandboxes.mollie import DEFAULT_API_KEY, MollieSandbox
from sandboxes.paystack import DEFAULT_SECRET_KEY, PaystackSandbox
from tests.factories import make_invoice, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

URL = "/settings/online-payment/"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE])
def test_only_admins_and_owners_reach_it(organization: Organization, role: Role) -> None:
    client = logged_in_client(member(organization, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"provider": "mollie", "secret_key": DEFAULT_API_KEY}).status_code == 403
    assert not PaymentProviderAccount.objects.exists()
    PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=DEFAULT_API_KEY
    )
    assert client.post(f"{URL}check/").status_code == 403
    assert client.post(f"{URL}turn-off/").status_code == 403
    assert PaymentProviderAccount.objects.get().enabled


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_key_the_provider_accepts_is_saved_encrypted_and_shown_masked(
    owner_client: Client, organization: Organization, mollie_sandbox: MollieSandbox
) -> None:
    response = owner_client.post(URL, {"provider": "mollie", "secret_key": DEFAULT_API_KEY})
    assert response.status_code == 302
    account = PaymentProviderAccount.objects.get(organization=organization, enabled=True)
    assert account.secret_key == DEFAULT_API_KEY
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_key FROM payments_paymentprovideraccount WHERE id = %s", [account.pk])
        assert DEFAULT_API_KEY not in cursor.fetchone()[0]
    page = owner_client.get(URL).content.decode()
    assert DEFAULT_API_KEY not in page
    assert account.masked_key in page
    assert account.masked_key.startswith("test_") and account.masked_key.endswith(DEFAULT_API_KEY[-4:])
    event = AuditEvent.objects.get(action="online_payment.account_saved")
    assert DEFAULT_API_KEY not in str(event.changes)


def test_a_key_the_provider_refuses_is_not_saved(owner_client: Client, mollie_sandbox: MollieSandbox) -> None:
    response = owner_client.post(URL, {"provider": "mollie", "secret_key": "test_" + "x" * 30})
    assert response.status_code == 400
    assert "refused" in response.content.decode()
    assert not PaymentProviderAccount.objects.exists()


def test_a_key_of_the_wrong_shape_is_a_form_error(owner_client: Client) -> None:
    response = owner_client.post(URL, {"provider": "paystack", "secret_key": DEFAULT_API_KEY})
    assert response.status_code == 400
    assert not PaymentProviderAccount.objects.exists()


def test_replacing_the_key_keeps_one_enabled_account(
    owner_client: Client, organization: Organization, mollie_sandbox: MollieSandbox
) -> None:
    for _ in range(2):
        owner_client.post(URL, {"provider": "mollie", "secret_key": DEFAULT_API_KEY})
    assert PaymentProviderAccount.objects.filter(organization=organization).count() == 2
    assert PaymentProviderAccount.objects.filter(organization=organization, enabled=True).count() == 1


def test_the_key_test_and_turning_it_off_are_audited(
    owner_client: Client, organization: Organization, mollie_sandbox: MollieSandbox
) -> None:
    PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=DEFAULT_API_KEY
    )
    assert owner_client.post(f"{URL}check/").status_code == 302
    assert owner_client.post(f"{URL}turn-off/").status_code == 302
    assert not PaymentProviderAccount.objects.filter(enabled=True).exists()
    actions = set(AuditEvent.objects.filter(organization=organization).values_list("action", flat=True))
    assert {"online_payment.account_tested", "online_payment.account_disabled"} <= actions


def test_paystack_shows_the_webhook_url_to_paste(owner_client: Client, organization: Organization) -> None:
    account = PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.PAYSTACK, secret_key="sk_test_" + "p" * 32
    )
    page = owner_client.get(URL).content.decode()
    assert f"/webhooks/paystack/{account.webhook_token}/" in page
    assert "euro" in page


def test_another_organisations_account_is_not_shown_or_changed(
    owner_client: Client, other_organization: Organization
) -> None:
    theirs = PaymentProviderAccount.objects.create(
        organization=other_organization, provider=Provider.PAYSTACK, secret_key="sk_test_" + "t" * 32
    )
    page = owner_client.get(URL).content.decode()
    assert theirs.webhook_token not in page
    assert theirs.masked_key not in page
    assert owner_client.post(f"{URL}turn-off/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.enabled


@pytest.mark.django_db(transaction=True)
def test_a_paystack_key_is_checked_with_paystack(
    owner_client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    PaymentProviderAccount.objects.filter(organization=organization).delete()
    refused = owner_client.post(URL, {"provider": "paystack", "secret_key": "sk_test_" + "w" * 32})
    assert refused.status_code == 400
    saved = owner_client.post(URL, {"provider": "paystack", "secret_key": DEFAULT_SECRET_KEY})
    assert saved.status_code == 302
    assert PaymentProviderAccount.objects.get(organization=organization, enabled=True).provider == Provider.PAYSTACK


def test_the_platform_admin_never_shows_the_key(client: Client, organization: Organization) -> None:
    staff = User.objects.create_superuser(email="staff@example.com", password="x" * 20)
    client.force_login(staff)
    account = PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=DEFAULT_API_KEY
    )
    for url in (
        "/admin/payments/paymentprovideraccount/",
        f"/admin/payments/paymentprovideraccount/{account.pk}/change/",
        "/admin/payments/onlinepayment/",
        "/admin/payments/settlement/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DEFAULT_API_KEY not in response.content.decode()


def test_the_platform_admin_neither_adds_nor_deletes_payments_settlements_or_accounts(
    client: Client, organization: Organization
) -> None:
    """A deleted settlement would let reconciliation pay invoices with its payout again, a deleted
    online payment would no longer hear of its refunds; an added one has no provider behind it."""
    client.force_login(User.objects.create_superuser(email="staff@example.com", password="x" * 20))
    account = PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.MOLLIE, secret_key=DEFAULT_API_KEY
    )
    online = OnlinePayment.objects.create(
        organization=organization,
        invoice=make_invoice(organization),
        account=account,
        provider=Provider.MOLLIE,
        provider_id="tr_admin1",
        amount=Decimal("121.00"),
        currency="EUR",
    )
    settlement = Settlement.objects.create(
        organization=organization, provider=Provider.MOLLIE, provider_id="stl_1", amount=Decimal("1"), currency="EUR"
    )
    for model, pk in (("onlinepayment", online.pk), ("settlement", settlement.pk)):
        assert client.get(f"/admin/payments/{model}/add/").status_code == 403
        assert client.post(f"/admin/payments/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/payments/paymentprovideraccount/add/").status_code == 403
    assert OnlinePayment.objects.filter(pk=online.pk).exists()
    assert Settlement.objects.filter(pk=settlement.pk).exists()


def test_a_malformed_mollie_key_is_refused_without_repeating_it(organization: Organization, owner: User) -> None:
    """Mollie's SDK quotes a key it refuses: that text is stored and shown (settings screen,
    platform admin), so it must not carry the key."""
    key = "test_configured-by-hand-" + "z" * 20  # a hyphen: not a key the SDK accepts
    account = PaymentProviderAccount.objects.create(organization=organization, provider=Provider.MOLLIE, secret_key=key)
    error = accounts.check_account(account, actor=owner)
    assert error
    assert key not in error
    account.refresh_from_db()
    assert account.last_error == error
