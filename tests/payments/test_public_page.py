"""The invoice's public page: reachable only through its signed link, in the client's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices.models import Invoice
from invoices.services import cancel_invoice
from payments.links import invoice_token, public_invoice_path, public_invoice_url
from payments.models import OnlinePayment, PaymentProviderAccount, Provider
from tests.factories import make_client, make_invoice, pay

KEY = "test_" + "k" * 30

pytestmark = pytest.mark.django_db


def test_the_link_shows_the_invoice_without_signing_in(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = client.get(public_invoice_path(invoice))
    assert response.status_code == 200
    body = response.content.decode()
    assert invoice.number in body
    assert organization.name in body
    assert response["Cache-Control"] == "no-store"


def test_the_url_is_absolute_and_based_on_site_url(organization: Organization, settings: SettingsWrapper) -> None:
    settings.SITE_URL = "https://pay.example.be"
    invoice = make_invoice(organization)
    assert public_invoice_url(invoice) == f"https://pay.example.be/pay/{invoice_token(invoice)}/"


def test_a_tampered_token_is_a_404(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    token = invoice_token(invoice)
    assert client.get(f"/pay/{token[:-2]}xx/").status_code == 404
    assert client.get("/pay/garbage/").status_code == 404
    assert client.get(f"/pay/{token}x/pdf/").status_code == 404


def test_a_token_for_another_id_cannot_be_made_by_editing_it(
    client: Client, organization: Organization, other_organization: Organization
) -> None:
    mine = make_invoice(organization)
    theirs = make_invoice(other_organization)
    _, _, signature = invoice_token(mine).partition(":")
    forged = f"{invoice_token(theirs).partition(':')[0]}:{signature}"
    assert client.get(f"/pay/{forged}/").status_code == 404
    assert client.get(f"/pay/{invoice_token(theirs)}/").status_code == 200


def test_a_draft_or_cancelled_invoice_is_not_public(client: Client, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    assert client.get(public_invoice_path(draft)).status_code == 404
    cancelled = make_invoice(organization)
    path = public_invoice_path(cancelled)
    cancel_invoice(cancelled)
    assert client.get(path).status_code == 404


def test_the_pdf_downloads_through_the_same_token(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = client.get(f"{public_invoice_path(invoice)}pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_page_speaks_the_clients_language(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization, make_client(organization, language="fr"))
    response = client.get(public_invoice_path(invoice))
    assert "Facture" in response.content.decode()


def test_the_payer_can_read_it_in_the_language_picked_in_its_menu(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization, make_client(organization, language="fr"))
    path = public_invoice_path(invoice)

    switched = client.post(reverse("set_language"), {"language": "nl", "next": path})
    response = client.get(path)

    assert switched.status_code == 302
    assert response.content.decode().count("Factuur") >= 1 and "Facture" not in response.content.decode()


def test_the_page_is_rate_limited(client: Client, organization: Organization, settings: SettingsWrapper) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_invoice": "3/m"}
    path = public_invoice_path(make_invoice(organization))
    statuses = [client.get(path).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_pay_online_is_offered_only_with_an_account_and_a_balance(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    path = public_invoice_path(invoice)
    assert "pay-online" not in client.get(path).content.decode()
    PaymentProviderAccount.objects.create(organization=organization, provider=Provider.MOLLIE, secret_key=KEY)
    assert "pay-online" in client.get(path).content.decode()
    pay(invoice, "121.00")
    assert "pay-online" not in client.get(path).content.decode()


def test_paystack_is_not_offered_for_an_invoice_in_euro(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.PAYSTACK, secret_key="sk_test_" + "p" * 32
    )
    path = public_invoice_path(invoice)
    assert "pay-online" not in client.get(path).content.decode()
    response = client.post(f"{path}checkout/")
    assert response.status_code == 200
    assert "Paystack does not accept payments in EUR." in response.content.decode()
    assert not OnlinePayment.objects.exists()


def test_a_provider_that_is_down_gives_the_payer_a_message(
    client: Client, organization: Organization, settings: SettingsWrapper
) -> None:
    settings.MOLLIE_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.PAYMENT_CONNECT_TIMEOUT_SECONDS = 0.5
    PaymentProviderAccount.objects.create(organization=organization, provider=Provider.MOLLIE, secret_key=KEY)
    response = client.post(f"{public_invoice_path(make_invoice(organization))}checkout/")
    assert response.status_code == 200
    assert "not available right now" in response.content.decode()


def test_the_return_page_without_a_payment_goes_back_to_the_invoice(client: Client, organization: Organization) -> None:
    path = public_invoice_path(make_invoice(organization))
    response = client.get(f"{path}return/?reference=si-1-abc")
    assert response.status_code == 302
    assert response["Location"] == path


def test_another_organisations_payment_is_not_reachable_through_a_token(
    client: Client, organization: Organization, other_organization: Organization
) -> None:
    mine = make_invoice(organization)
    theirs = make_invoice(other_organization)
    account = PaymentProviderAccount.objects.create(
        organization=other_organization, provider=Provider.MOLLIE, secret_key=KEY
    )
    OnlinePayment.objects.create(
        organization=other_organization,
        invoice=theirs,
        account=account,
        provider=Provider.MOLLIE,
        provider_id="tr_theirs",
        amount=theirs.balance_due,
        currency="EUR",
    )
    response = client.get(f"{public_invoice_path(mine)}return/?reference=tr_theirs")
    assert response.status_code == 302


@pytest.mark.django_db
@given(
    suffix=st.sampled_from(["", "pdf/", "checkout/", "return/"]),
    method=st.sampled_from(["get", "post"]),
    query=st.dictionaries(st.sampled_from(["reference", "trxref", "id", "page"]), st.text(max_size=80), max_size=3),
)
@hypothesis_settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_public_endpoint_answers_garbage_with_a_server_error(
    client: Client,
    organization: Organization,
    settings: SettingsWrapper,
    suffix: str,
    method: str,
    query: dict[str, str],
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_invoice": "10000/m", "webhook": "10000/m"}
    invoice = Invoice.objects.filter(organization=organization).first() or make_invoice(organization)
    for path in (f"{public_invoice_path(invoice)}{suffix}", f"/pay/{query.get('id', 'x')}/{suffix}"):
        response = getattr(client, method)(path, query)
        assert response.status_code < 500
    for path in ("/webhooks/mollie/", "/webhooks/paystack/x/"):
        assert client.post(path, query).status_code < 500
