"""The background jobs of online payment go on past one payment or account that fails in a way
nobody foresaw (here: the provider answering 200 with something that is not the resource): the
others are still followed, and the failure is logged with what it was about."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.models import Organization
from payments.models import OnlinePayment, OnlinePaymentStatus, PaymentProviderAccount, Provider, Settlement
from payments.services import start_checkout
from payments.tasks import fetch_settlements, follow_unfinished_payments
from sandboxes import paystack
from sandboxes.mollie import MollieSandbox
from sandboxes.paystack import PaystackSandbox
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db


def _quiet(*payments: OnlinePayment) -> None:
    """Unfinished long enough to be asked about again."""
    earlier = timezone.now() - datetime.timedelta(minutes=11)
    OnlinePayment.objects.filter(pk__in=[p.pk for p in payments]).update(updated_at=earlier)


@pytest.mark.usefixtures("mollie_account")
def test_one_payment_the_provider_garbles_does_not_stop_the_others(
    organization: Organization, mollie_sandbox: MollieSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    mollie_sandbox.hold_webhooks = True  # only the follow-up hears of the outcome
    garbled, fine = (start_checkout(make_invoice(organization)) for _ in range(2))
    for online in (garbled, fine):
        mollie_sandbox.complete(online.provider_id, "paid")
    _quiet(garbled, fine)
    mollie_sandbox.faults.add({"kind": "garbled", "path": f"/v2/payments/{garbled.provider_id}", "times": None})

    assert follow_unfinished_payments() == 1

    assert OnlinePayment.objects.get(pk=fine.pk).status == OnlinePaymentStatus.PAID
    assert OnlinePayment.objects.get(pk=garbled.pk).status == OnlinePaymentStatus.OPEN
    failures = [r for r in caplog.records if r.name == "payments.tasks" and r.levelname == "ERROR"]
    assert [r.getMessage() for r in failures] == [
        f"could not follow online payment {garbled.pk}",
        "1 of 2 unfinished online payments could not be followed",
    ]
    assert failures[0].exc_info is not None


@pytest.mark.usefixtures("site")
def test_one_account_whose_settlements_are_garbled_does_not_stop_the_others(
    organization: Organization,
    other_organization: Organization,
    paystack_sandbox: PaystackSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    PaymentProviderAccount.objects.create(
        organization=other_organization, provider=Provider.PAYSTACK, secret_key=paystack.DEFAULT_SECRET_KEY
    )
    paystack_sandbox.hold_webhooks = True
    online = start_checkout(make_invoice(organization, make_client(organization, currency="NGN")))
    paystack_sandbox.complete(online.provider_id, "success")
    settlement = paystack_sandbox.settle()
    paystack_sandbox.faults.add({"kind": "garbled", "path": "/settlement", "times": 1})

    assert fetch_settlements() == 1

    assert Settlement.objects.get().provider_id == str(settlement["id"])
    failures = [r for r in caplog.records if r.name == "payments.settlements" and r.levelname == "ERROR"]
    assert len(failures) == 2
    assert failures[0].getMessage().startswith("could not fetch the settlements of payment account ")
    assert failures[1].getMessage() == "the settlements of 1 of 2 payment accounts could not be fetched"
