"""The Mollie API v2 simulator, driven through the official SDK (mollie-api-python) as the payments
app drives it: payments, the test-mode checkout, webhooks (held, redelivered, retried), expiry,
cancellation, refunds, settlements, idempotency keys, errors and injected faults."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mollie.api.client import Client
from mollie.api.error import (
    NotFoundError,
    RequestError,
    ResponseError,
    ResponseHandlingError,
    UnauthorizedError,
    UnprocessableEntityError,
)

from sandboxes.mollie import DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY, PREFIX, MollieSandbox, serve
from tests.sandboxes.webhook_receiver import Receiver, receiving

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving("/webhooks/mollie/") as script:
        yield script


@pytest.fixture
def sandbox() -> MollieSandbox:
    return MollieSandbox(seed=7, now=lambda: NOW)


@pytest.fixture
def base_url(sandbox: MollieSandbox) -> Iterator[str]:
    server, base_url = serve(sandbox)
    yield base_url
    server.shutdown()


def sdk(base_url: str, token: str = DEFAULT_API_KEY) -> Client:
    client = Client(timeout=(2, 2))
    client.set_api_endpoint(base_url + PREFIX)
    if token.startswith("access_"):
        client.set_access_token(token)
    else:
        client.set_api_key(token)
    return client


@pytest.fixture
def mollie(base_url: str) -> Client:
    return sdk(base_url)


@pytest.fixture
def browser(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url + PREFIX, timeout=5, follow_redirects=False) as client:
        yield client


def create(mollie: Client, webhook: str | None = None, value: str = "12.34", **extra: Any) -> Any:
    data = {
        "amount": {"currency": "EUR", "value": value},
        "description": "Invoice 2026-0042",
        "redirectUrl": "https://shop.example/return/42",
        "metadata": {"invoice": 42},
        **extra,
    }
    if webhook:
        data["webhookUrl"] = webhook
    return mollie.payments.create(data)


# --- authentication and errors -----------------------------------------------------------------------
def test_a_wrong_api_key_is_a_401_in_mollies_error_shape(base_url: str):
    with pytest.raises(UnauthorizedError):
        sdk(base_url, "test_wrongkey").payments.list()
    response = httpx.get(f"{base_url}{PREFIX}/v2/payments", headers={"Authorization": "Bearer test_wrong"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/hal+json")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized Request" and body["detail"]
    assert body["_links"]["documentation"]["href"].startswith("https://docs.mollie.com")


def test_an_unknown_payment_is_a_404(mollie: Client):
    with pytest.raises(NotFoundError, match="tr_unknown"):
        mollie.payments.get("tr_unknown")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": {"currency": "EUR", "value": "12.3"}}, "amount"),
        ({"amount": {"currency": "EUR", "value": 12.34}}, "amount"),
        ({"amount": {"currency": "XYZ", "value": "12.34"}}, "amount"),
        ({"amount": {"currency": "EUR", "value": "0.00"}}, "amount"),
        ({"description": None}, "description"),
        ({"redirectUrl": "not a url"}, "redirectUrl"),
        ({"method": "cash"}, "method"),
        ({"method": "bancontact", "amount": {"currency": "USD", "value": "5.00"}}, "method"),
        ({"locale": "xx_XX"}, "locale"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(mollie: Client, change: dict[str, Any], field: str):
    data = {
        "amount": {"currency": "EUR", "value": "12.34"},
        "description": "Invoice",
        "redirectUrl": "https://shop.example/return",
        **change,
    }
    with pytest.raises(UnprocessableEntityError) as raised:
        mollie.payments.create({key: value for key, value in data.items() if value is not None})
    assert raised.value.field == field


# --- creating and paying -------------------------------------------------------------------------------
def test_a_new_payment_is_open_with_a_checkout_link_and_expires_in_15_minutes(mollie: Client, base_url: str):
    payment = create(mollie, "https://shop.example/webhook")
    assert re.fullmatch(r"tr_\w{10}", payment.id)
    assert payment.status == "open" and payment.is_open()
    assert payment.amount == {"currency": "EUR", "value": "12.34"}
    assert payment.checkout_url == f"{base_url}{PREFIX}/checkout/{payment.id}"
    assert payment.created_at == "2026-12-07T09:30:00+00:00"
    assert payment.expires_at == "2026-12-07T09:45:00+00:00"
    assert payment.is_cancelable is False and payment.metadata == {"invoice": 42} and payment.method is None
    assert mollie.payments.get(payment.id).description == "Invoice 2026-0042"


def test_paying_at_the_checkout_redirects_and_calls_the_webhook(
    sandbox: MollieSandbox, mollie: Client, browser: httpx.Client, receiver: Receiver
):
    payment = create(mollie, receiver.url)
    page = browser.get(f"/checkout/{payment.id}")
    assert page.status_code == 200 and "<script" not in page.text and 'value="paid"' in page.text

    answer = browser.post(f"/checkout/{payment.id}", data={"method": "kbc", "status": "paid"})

    assert answer.status_code == 303 and answer.headers["location"] == "https://shop.example/return/42"
    assert receiver.bodies == [f"id={payment.id}".encode()]
    paid = mollie.payments.get(payment.id)
    assert paid.is_paid() and paid.method == "kbc" and paid.paid_at == "2026-12-07T09:30:00+00:00"
    assert paid.amount_remaining == {"currency": "EUR", "value": "12.34"} and paid.checkout_url is None
    assert sandbox.webhook_deliveries[0]["status"] == 200


def test_canceling_at_the_checkout_goes_to_the_cancel_url(mollie: Client, browser: httpx.Client):
    payment = create(mollie, cancelUrl="https://shop.example/cancel/42")
    answer = browser.post(f"/checkout/{payment.id}", data={"method": "bancontact", "status": "canceled"})
    assert answer.headers["location"] == "https://shop.example/cancel/42"
    assert mollie.payments.get(payment.id).is_canceled()
    # Coming back to the checkout of a finished payment sends the payer back again.
    assert browser.get(f"/checkout/{payment.id}").headers["location"] == "https://shop.example/cancel/42"


def test_a_payment_created_with_a_method_keeps_it(sandbox: MollieSandbox, mollie: Client):
    payment = create(mollie, method="ideal")
    sandbox.complete(payment.id, "failed")
    failed = mollie.payments.get(payment.id)
    assert failed.is_failed() and failed.method == "ideal" and failed.failed_at


def test_only_an_open_payment_can_be_completed(sandbox: MollieSandbox, mollie: Client):
    payment = create(mollie)
    sandbox.complete(payment.id)
    with pytest.raises(ValueError, match="paid, not open"):
        sandbox.complete(payment.id, "failed")


# --- webhooks ------------------------------------------------------------------------------------------
def test_held_webhooks_go_out_on_release(sandbox: MollieSandbox, mollie: Client, receiver: Receiver):
    sandbox.hold_webhooks = True
    payment = create(mollie, receiver.url)
    sandbox.complete(payment.id)
    assert receiver.bodies == [] and sandbox.webhook_deliveries == []
    assert sandbox.release_webhooks() == 1
    assert receiver.bodies == [f"id={payment.id}".encode()]


def test_a_redelivery_is_a_duplicate_call(sandbox: MollieSandbox, mollie: Client, receiver: Receiver):
    payment = create(mollie, receiver.url)
    sandbox.complete(payment.id)
    sandbox.redeliver(payment.id)
    assert receiver.bodies == [f"id={payment.id}".encode()] * 2


def test_a_failed_webhook_is_retried_on_mollies_schedule(sandbox: MollieSandbox, mollie: Client, receiver: Receiver):
    receiver.answers = [503, 500]
    payment = create(mollie, receiver.url)
    sandbox.complete(payment.id)
    sandbox.advance(59)
    assert [d["status"] for d in sandbox.webhook_deliveries] == [503]
    sandbox.advance(1)  # one minute after the first attempt
    sandbox.advance(120)  # two more after the second
    assert [(d["attempt"], d["status"]) for d in sandbox.webhook_deliveries] == [(1, 503), (2, 500), (3, 200)]
    sandbox.advance(3600)
    assert len(receiver.bodies) == 3


def test_an_unreachable_webhook_is_recorded_without_a_status(sandbox: MollieSandbox, mollie: Client):
    payment = create(mollie, "http://127.0.0.1:9/unreachable")
    sandbox.complete(payment.id)
    delivery = sandbox.webhook_deliveries[0]
    assert delivery["status"] is None and delivery["error"] and delivery["body"] == f"id={payment.id}"


# --- expiry and cancellation ---------------------------------------------------------------------------
def test_an_open_payment_expires_with_the_clock_and_calls_the_webhook(
    sandbox: MollieSandbox, mollie: Client, receiver: Receiver
):
    payment = create(mollie, receiver.url)
    sandbox.advance(899)
    assert mollie.payments.get(payment.id).is_open()
    sandbox.advance(1)
    expired = mollie.payments.get(payment.id)
    assert expired.is_expired() and expired.expired_at == "2026-12-07T09:45:00+00:00"
    assert receiver.bodies == [f"id={payment.id}".encode()]


def test_only_a_cancelable_payment_can_be_canceled(mollie: Client, receiver: Receiver):
    card = create(mollie, method="bancontact")
    with pytest.raises(UnprocessableEntityError):
        mollie.payments.delete(card.id)
    transfer = create(mollie, receiver.url, method="banktransfer")
    assert transfer.is_cancelable is True
    assert mollie.payments.delete(transfer.id)["status"] == "canceled"
    assert mollie.payments.get(transfer.id).canceled_at == "2026-12-07T09:30:00+00:00"
    assert receiver.bodies == [f"id={transfer.id}".encode()]


# --- listing -------------------------------------------------------------------------------------------
def test_payments_are_listed_newest_first_with_cursor_pagination(mollie: Client):
    ids = [create(mollie).id for _ in range(3)]
    first = mollie.payments.list(limit=2)
    assert [p.id for p in first] == [ids[2], ids[1]] and first.has_next() and not first.has_previous()
    second = first.get_next()
    assert [p.id for p in second] == [ids[0]] and not second.has_next() and second.has_previous()


def test_an_idempotency_key_replays_the_first_answer(mollie: Client):
    data = {"amount": {"currency": "EUR", "value": "5.00"}, "description": "x", "redirectUrl": "https://s.example/"}
    first = mollie.payments.create(data, idempotency_key="order-42")
    again = mollie.payments.create(data, idempotency_key="order-42")
    assert again.id == first.id and len(mollie.payments.list()) == 1


# --- refunds -------------------------------------------------------------------------------------------
def test_a_refund_is_pending_then_refunded_and_calls_the_payments_webhook(
    sandbox: MollieSandbox, mollie: Client, receiver: Receiver
):
    payment = create(mollie, receiver.url, value="100.00")
    sandbox.complete(payment.id)
    refund = payment.refunds.create({"amount": {"currency": "EUR", "value": "30.00"}, "description": "Returned"})
    assert refund.status == "pending" and refund.payment_id == payment.id and re.fullmatch(r"re_\w{10}", refund.id)
    after = mollie.payments.get(payment.id)
    assert after.amount_refunded["value"] == "30.00" and after.amount_remaining["value"] == "70.00"
    with pytest.raises(UnprocessableEntityError) as raised:
        payment.refunds.create({"amount": {"currency": "EUR", "value": "70.01"}})
    assert raised.value.field == "amount"

    assert [r.id for r in sandbox.process_refunds()] == [refund.id]

    assert payment.refunds.get(refund.id).status == "refunded"
    assert [r.id for r in payment.refunds.list()] == [refund.id]
    assert receiver.bodies == [f"id={payment.id}".encode()] * 2  # paid, then refunded


def test_a_chargeback_shows_on_the_paid_payment_and_calls_its_webhook(
    sandbox: MollieSandbox, mollie: Client, browser: httpx.Client, receiver: Receiver
):
    payment = create(mollie, receiver.url)
    sandbox.complete(payment.id)
    assert not mollie.payments.get(payment.id).has_chargebacks()
    taken = browser.post(f"/_sandbox/payments/{payment.id}/chargebacks", json={"amount": "2.34"})
    assert taken.status_code == 201 and taken.json()["reversedAt"] is None

    fetched = mollie.payments.get(payment.id)
    assert fetched.status == "paid" and fetched.amount_chargedback == {"currency": "EUR", "value": "2.34"}
    listed = list(fetched.chargebacks.list())
    assert [(c.id, c.amount["value"], c.settlement_amount["value"]) for c in listed] == [
        (taken.json()["id"], "2.34", "-2.34")
    ]
    assert len(receiver.bodies) == 2  # paid, then the chargeback

    reversed_ = browser.post(f"/_sandbox/payments/{payment.id}/chargebacks/{listed[0].id}/reverse")
    assert reversed_.json()["reversedAt"] == NOW.isoformat(timespec="seconds")
    assert fetched.chargebacks.get(listed[0].id).reversed_at is not None
    assert mollie.payments.get(payment.id).amount_chargedback["value"] == "0.00"
    assert len(receiver.bodies) == 3
    assert browser.post(f"/_sandbox/payments/{payment.id}/chargebacks/{listed[0].id}/reverse").status_code == 409
    assert sandbox.chargeback(payment.id).value == Decimal("12.34")  # the rest, by default
    assert browser.post(f"/_sandbox/payments/{payment.id}/chargebacks", json={}).status_code == 409
    assert browser.post(f"/_sandbox/payments/{payment.id}/chargebacks", json={"amount": 1}).status_code == 400


def test_an_unpaid_payment_cannot_be_refunded(mollie: Client):
    payment = create(mollie)
    with pytest.raises(UnprocessableEntityError):
        payment.refunds.create({"amount": {"currency": "EUR", "value": "1.00"}})


# --- settlements ---------------------------------------------------------------------------------------
def test_a_settlement_pays_out_payments_less_refunds_and_fees(sandbox: MollieSandbox, mollie: Client, base_url: str):
    cards = create(mollie, value="50.00", method="creditcard")
    contact = create(mollie, value="100.00")
    create(mollie, value="7.00")  # never paid: not settled
    sandbox.complete(cards.id)
    sandbox.complete(contact.id, method="bancontact")
    contact.refunds.create({"amount": {"currency": "EUR", "value": "10.00"}})
    sandbox.process_refunds()

    settlement = sandbox.settle()

    # 150.00 paid - 10.00 refunded - (0.25 + 1.8 % of 50.00 = 1.15 + 21 % VAT 0.24) - (0.39 + VAT 0.08)
    assert settlement["amount"] == {"currency": "EUR", "value": "138.14"}
    assert re.fullmatch(r"1234567\.2612\.01", str(settlement["reference"]))
    assert settlement["settlement_bank_description"] == f"Mollie settlement {settlement['reference']}"
    reader = sdk(base_url, DEFAULT_ACCESS_TOKEN)
    fetched = reader.settlements.get(str(settlement["id"]))
    assert fetched.amount == settlement["amount"] and fetched.status == "paidout"
    assert reader.settlements.get(str(settlement["reference"])).id == settlement["id"]
    assert sorted(p.id for p in fetched.payments.list()) == sorted([cards.id, contact.id])
    assert len(fetched.refunds.list()) == 1
    assert [s.id for s in reader.settlements.list()] == [settlement["id"]]
    assert mollie.payments.get(cards.id).settlement_id == settlement["id"]
    with pytest.raises(ValueError, match="nothing to settle"):
        sandbox.settle()


def test_settlements_are_refused_to_an_api_key(sandbox: MollieSandbox, mollie: Client):
    with pytest.raises(ResponseError) as raised:
        mollie.settlements.list()
    assert raised.value.status == 403


def test_the_months_second_settlement_has_the_next_reference(sandbox: MollieSandbox, mollie: Client):
    for _ in range(2):
        sandbox.complete(create(mollie).id)
        last = sandbox.settle()
    assert str(last["reference"]).endswith(".2612.02")
    assert Decimal(str(last["amount"]["value"])) == Decimal("12.34") - Decimal("0.47")  # type: ignore[index]


# --- faults and the control API ------------------------------------------------------------------------
def test_injected_server_errors_reach_the_sdk_as_errors(browser: httpx.Client, mollie: Client):
    browser.post("/_sandbox/faults", json={"kind": "500", "path": "/v2/payments", "times": 1})
    with pytest.raises(ResponseError) as raised:
        mollie.payments.list()
    assert raised.value.status == 500
    browser.post("/_sandbox/faults", json={"kind": "503"})
    with pytest.raises(ResponseHandlingError):
        mollie.payments.list()
    browser.post("/_sandbox/faults", json={"kind": "429", "retry_after": 7})
    limited = browser.get("/v2/payments", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    assert mollie.payments.list().count == 0  # each fault fired once


def test_a_garbled_answer_is_a_200_without_the_resource(sandbox: MollieSandbox, browser: httpx.Client, mollie: Client):
    payment = create(mollie)
    browser.post("/_sandbox/faults", json={"kind": "garbled", "path": f"/v2/payments/{payment.id}"})
    garbled = mollie.payments.get(payment.id)
    assert (garbled.id, garbled.amount) == (None, None)
    assert mollie.payments.get(payment.id).id == payment.id  # fired once


@pytest.mark.parametrize("kind", ["drop", "timeout"])
def test_a_cut_connection_is_a_request_error_and_creates_nothing(
    sandbox: MollieSandbox, browser: httpx.Client, base_url: str, kind: str
):
    browser.post("/_sandbox/faults", json={"kind": kind, "seconds": 2, "method": "POST"})
    client = sdk(base_url)
    client.set_timeout((1, 1))
    with pytest.raises(RequestError):
        create(client)
    assert sandbox.payments() == []


def test_the_control_api_completes_settles_and_moves_the_clock(
    sandbox: MollieSandbox, browser: httpx.Client, mollie: Client
):
    payment = create(mollie)
    completed = browser.post(f"/_sandbox/payments/{payment.id}/complete", json={"status": "paid", "method": "ideal"})
    assert completed.status_code == 200 and completed.json()["status"] == "paid"
    assert browser.post(f"/_sandbox/payments/{payment.id}/complete", json={}).status_code == 409
    assert browser.post("/_sandbox/settlements").json()["amount"]["value"] == "11.99"
    assert browser.post("/_sandbox/clock", json={"seconds": 60}).json()["now"] == "2026-12-07T09:31:00+00:00"
    assert browser.post("/_sandbox/settings", json={"hold_webhooks": True}).json()["hold_webhooks"] is True
    assert sandbox.hold_webhooks is True
    assert browser.get("/_sandbox/nothing").status_code == 404
