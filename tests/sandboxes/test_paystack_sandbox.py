"""The Paystack simulator over HTTP, as the payments app calls it: initialize, the hosted checkout
and its callback, verify and fetch, signed webhooks (held, redelivered, retried), refunds,
settlements, Paystack's error answers and injected faults."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandboxes.paystack import DEFAULT_SECRET_KEY, PREFIX, PaystackSandbox, serve, signature
from tests.sandboxes.webhook_receiver import Receiver, receiving

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def events(receiver: Receiver) -> list[str]:
    return [json.loads(body)["event"] for body in receiver.bodies]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving("/webhooks/paystack/") as script:
        yield script


@pytest.fixture
def sandbox(receiver: Receiver) -> PaystackSandbox:
    return PaystackSandbox(seed=7, now=lambda: NOW, webhook_url=receiver.url, webhook_timeout=2)


@pytest.fixture
def http(sandbox: PaystackSandbox) -> Iterator[httpx.Client]:
    server, base_url = serve(sandbox)
    headers = {"Authorization": f"Bearer {DEFAULT_SECRET_KEY}"}
    with httpx.Client(base_url=base_url + PREFIX, headers=headers, timeout=5) as client:
        yield client
    server.shutdown()


def initialize(http: httpx.Client, amount: int | str = 500000, **extra: Any) -> dict[str, Any]:
    body = {"email": "payer@example.com", "amount": amount, "callback_url": "https://shop.example/paid", **extra}
    response = http.post("/transaction/initialize", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def verify(http: httpx.Client, reference: str) -> dict[str, Any]:
    response = http.get(f"/transaction/verify/{reference}")
    assert response.status_code == 200 and response.json()["message"] == "Verification successful"
    data: dict[str, Any] = response.json()["data"]
    return data


def pay(http: httpx.Client, started: dict[str, Any], status: str = "success", channel: str = "card") -> httpx.Response:
    return http.post(
        urlsplit(started["authorization_url"]).path.removeprefix(PREFIX), data={"status": status, "channel": channel}
    )


# --- authentication and errors -----------------------------------------------------------------------
@pytest.mark.parametrize("authorization", [None, "Bearer sk_test_wrong", f"Basic {DEFAULT_SECRET_KEY}"])
def test_a_missing_or_wrong_secret_key_is_401_invalid_key(http: httpx.Client, authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    http.headers.pop("Authorization")
    response = http.post("/transaction/initialize", json={"email": "a@b.co", "amount": 10000}, headers=headers)
    assert response.status_code == 401 and response.json() == {"status": False, "message": "Invalid key"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "EUR"}, "Currency not supported by merchant"),
        ({"email": None}, "Email Address is required"),
        ({"email": "not-an-email"}, "Invalid Email Address Passed"),
        ({"amount": 12.5}, "Invalid Amount Sent"),
        ({"amount": 4999}, "Amount is less than the minimum of 5000 for NGN"),
        ({"reference": "has space"}, "Invalid transaction reference"),
        ({"channels": ["cash"]}, "Invalid channels"),
    ],
)
def test_invalid_initialize_is_a_400_with_paystacks_message(http: httpx.Client, change: dict[str, Any], message: str):
    body = {"email": "payer@example.com", "amount": 10000, **change}
    response = http.post("/transaction/initialize", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 400
    assert response.json()["status"] is False and response.json()["message"].startswith(message)


def test_a_duplicate_reference_is_refused(http: httpx.Client):
    initialize(http, reference="INV-2026-0042")
    response = http.post(
        "/transaction/initialize", json={"email": "a@b.co", "amount": 10000, "reference": "INV-2026-0042"}
    )
    assert response.status_code == 400 and response.json()["message"] == "Duplicate Transaction Reference"


def test_unknown_references_and_ids(http: httpx.Client):
    unknown = http.get("/transaction/verify/nope")
    assert unknown.status_code == 400 and unknown.json()["message"] == "Transaction reference not found."
    assert http.get("/transaction/123").status_code == 404
    assert http.get("/nowhere").json()["status"] is False


def test_the_supported_currencies_are_a_setting(sandbox: PaystackSandbox, http: httpx.Client):
    sandbox.currencies = frozenset({"NGN", "GHS"})
    started = initialize(http, amount=1000, currency="GHS")
    assert verify(http, started["reference"])["currency"] == "GHS"
    assert (
        http.post("/transaction/initialize", json={"email": "a@b.co", "amount": 500, "currency": "USD"}).status_code
        == 400
    )


# --- paying --------------------------------------------------------------------------------------------
def test_initialize_answers_a_checkout_url_and_the_transaction_awaits_payment(http: httpx.Client):
    started = initialize(http, amount="500000", reference="INV-42", metadata={"invoice": 42})
    assert started["reference"] == "INV-42" and started["authorization_url"].endswith(
        f"/checkout/{started['access_code']}"
    )
    transaction = verify(http, "INV-42")
    assert transaction["status"] == "abandoned" and transaction["amount"] == 500000 and transaction["currency"] == "NGN"
    assert transaction["metadata"] == {"invoice": 42} and transaction["paid_at"] is None
    assert http.get(f"/transaction/{transaction['id']}").json()["data"]["reference"] == "INV-42"


def test_paying_redirects_to_the_callback_and_sends_a_signed_charge_success(http: httpx.Client, receiver: Receiver):
    started = initialize(http)
    page = http.get(urlsplit(started["authorization_url"]).path.removeprefix(PREFIX))
    assert page.status_code == 200 and "<script" not in page.text

    answer = pay(http, started, channel="bank_transfer")

    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.netloc == "shop.example" and location.path == "/paid"
    assert parse_qs(location.query) == {"trxref": [started["reference"]], "reference": [started["reference"]]}
    headers, body = receiver.deliveries[0]
    assert headers["x-paystack-signature"] == hmac.new(DEFAULT_SECRET_KEY.encode(), body, hashlib.sha512).hexdigest()
    event = json.loads(body)
    assert event["event"] == "charge.success" and event["data"]["reference"] == started["reference"]
    transaction = verify(http, started["reference"])
    assert transaction["status"] == "success" and transaction["channel"] == "bank_transfer"
    assert transaction["paid_at"] == "2026-12-07T09:30:00.000Z"
    assert transaction["fees"] == 17500  # 1.5 % of NGN 5,000 + NGN 100, in kobo


def test_a_failed_payment_sends_no_event(sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver):
    started = initialize(http)
    assert pay(http, started, "failed").status_code == 303
    assert verify(http, started["reference"])["status"] == "failed"
    assert receiver.deliveries == [] and sandbox.webhook_deliveries == []


def test_abandoning_goes_to_the_cancel_action_and_the_transaction_stays_payable(
    sandbox: PaystackSandbox, http: httpx.Client
):
    started = initialize(http, metadata={"cancel_action": "https://shop.example/cancelled"})
    assert pay(http, started, "abandoned").headers["location"] == "https://shop.example/cancelled"
    sandbox.complete(started["reference"])
    assert verify(http, started["reference"])["status"] == "success"
    with pytest.raises(ValueError, match="not awaiting payment"):
        sandbox.complete(started["reference"], "failed")


def test_the_fee_is_capped_and_its_flat_part_waived_for_small_amounts(sandbox: PaystackSandbox, http: httpx.Client):
    small, large = initialize(http, amount=200000), initialize(http, amount=50_000_000)
    sandbox.complete(small["reference"])
    sandbox.complete(large["reference"])
    assert verify(http, small["reference"])["fees"] == 3000
    assert verify(http, large["reference"])["fees"] == 200000


def test_fees_borne_by_the_customer_are_added_to_the_amount_charged(sandbox: PaystackSandbox, http: httpx.Client):
    ours = initialize(http)
    sandbox.complete(ours["reference"])
    assert http.post("/_sandbox/settings", json={"customer_bears_fees": True}).json()["customer_bears_fees"] is True
    theirs = initialize(http)
    sandbox.complete(theirs["reference"])
    charged = verify(http, theirs["reference"])
    assert (charged["amount"], charged["requested_amount"], charged["fees"]) == (517500, 500000, 17500)
    assert verify(http, ours["reference"])["amount"] == verify(http, ours["reference"])["requested_amount"] == 500000
    assert http.post("/_sandbox/settlements", json={}).json()["total_amount"] == 1000000 - 17500


# --- webhooks ------------------------------------------------------------------------------------------
def test_held_events_go_out_on_release_and_a_redelivery_duplicates(
    sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver
):
    sandbox.hold_webhooks = True
    started = initialize(http)
    pay(http, started)
    assert receiver.deliveries == []
    assert sandbox.release_webhooks() == 1
    sandbox.hold_webhooks = False
    assert sandbox.redeliver(started["reference"]) is True
    assert events(receiver) == ["charge.success", "charge.success"]
    assert receiver.deliveries[0][1] == receiver.deliveries[1][1]


def test_a_refused_event_is_retried_hourly(sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver):
    receiver.answers = [500]
    sandbox.complete(initialize(http)["reference"])
    sandbox.advance(3599)
    assert len(receiver.deliveries) == 1
    sandbox.advance(1)
    assert [d["status"] for d in sandbox.webhook_deliveries] == [500, 200]


def test_the_signature_is_hmac_sha512_of_the_raw_body():
    body = b'{"event":"charge.success","data":{"id":1}}'
    assert signature(body, "sk_test_x") == hmac.new(b"sk_test_x", body, hashlib.sha512).hexdigest()
    assert len(signature(body, "sk_test_x")) == 128


# --- refunds -------------------------------------------------------------------------------------------
def test_a_refund_is_pending_then_processed_with_its_events(
    sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver
):
    started = initialize(http)
    sandbox.complete(started["reference"])
    response = http.post("/refund", json={"transaction": started["reference"], "amount": 200000})
    assert response.status_code == 200 and response.json()["message"] == "Refund has been queued for processing"
    assert response.json()["data"]["status"] == "pending" and response.json()["data"]["amount"] == 200000
    over = http.post("/refund", json={"transaction": started["reference"], "amount": 300001})
    assert over.status_code == 400 and over.json()["status"] is False

    assert [refund.status for refund in sandbox.process_refunds()] == ["processed"]

    assert events(receiver) == ["charge.success", "refund.pending", "refund.processed"]
    processed = json.loads(receiver.deliveries[2][1])["data"]
    assert processed["transaction_reference"] == started["reference"] and processed["amount"] == 200000
    assert verify(http, started["reference"])["status"] == "success"  # partly refunded
    refund_id = response.json()["data"]["id"]
    assert http.get(f"/refund/{refund_id}").json()["data"]["status"] == "processed"
    listed = http.get("/refund", params={"transaction": response.json()["data"]["transaction"]["id"]}).json()
    assert [r["id"] for r in listed["data"]] == [refund_id] and listed["message"] == "Refunds retrieved"
    assert http.get("/refund/1").status_code == 404


def test_a_full_refund_by_id_reverses_the_transaction(sandbox: PaystackSandbox, http: httpx.Client):
    started = initialize(http)
    transaction = sandbox.complete(started["reference"])
    assert http.post("/refund", json={"transaction": transaction.id}).json()["data"]["amount"] == 500000
    sandbox.process_refunds()
    assert verify(http, started["reference"])["status"] == "reversed"


def test_a_failed_refund_sends_refund_failed_and_can_be_asked_again(
    sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver
):
    started = initialize(http)
    sandbox.complete(started["reference"])
    http.post("/refund", json={"transaction": started["reference"]})
    sandbox.process_refunds("failed")
    assert events(receiver)[-1] == "refund.failed"
    assert http.post("/refund", json={"transaction": started["reference"]}).status_code == 200


def test_an_unpaid_or_unknown_transaction_cannot_be_refunded(http: httpx.Client):
    started = initialize(http)
    assert http.post("/refund", json={"transaction": started["reference"]}).status_code == 400
    assert http.post("/refund", json={"transaction": "nope"}).status_code == 404
    assert http.post("/refund", json={}).status_code == 400


# --- settlements ---------------------------------------------------------------------------------------
def test_a_settlement_sums_transactions_less_fees_and_refunds(sandbox: PaystackSandbox, http: httpx.Client):
    first, second = initialize(http, amount=500000), initialize(http, amount=200000)
    initialize(http, amount=900000)  # never paid
    sandbox.complete(first["reference"])
    sandbox.complete(second["reference"])
    http.post("/refund", json={"transaction": second["reference"], "amount": 50000})
    sandbox.process_refunds()

    settlement = sandbox.settle()

    assert settlement["total_processed"] == 700000 and settlement["total_fees"] == 17500 + 3000
    assert settlement["deductions"] == 50000
    assert settlement["total_amount"] == settlement["effective_amount"] == 700000 - 20500 - 50000
    assert str(settlement["id"]) in str(settlement["settlement_bank_description"])
    listed = http.get("/settlement").json()
    assert [s["id"] for s in listed["data"]] == [settlement["id"]] and listed["meta"]["total"] == 1
    transactions = http.get(f"/settlement/{settlement['id']}/transactions").json()
    assert sorted(t["reference"] for t in transactions["data"]) == sorted([first["reference"], second["reference"]])
    assert transactions["meta"]["total_volume"] == 700000
    assert http.get("/settlement/999/transactions").status_code == 404
    with pytest.raises(ValueError, match="nothing to settle"):
        sandbox.settle()


def test_settlements_page_with_page_and_per_page(sandbox: PaystackSandbox, http: httpx.Client):
    for _ in range(3):
        sandbox.complete(initialize(http)["reference"])
        sandbox.settle()
    page = http.get("/settlement", params={"perPage": 2, "page": 2}).json()
    assert len(page["data"]) == 1 and page["meta"]["pageCount"] == 2 and page["meta"]["skipped"] == 2
    assert http.get("/settlement", params={"page": 0}).status_code == 400


# --- faults and the control API ------------------------------------------------------------------------
def test_injected_faults(http: httpx.Client):
    http.post("/_sandbox/faults", json={"kind": "503", "path": "/transaction/verify"})
    assert http.get("/transaction/verify/x").headers["content-type"] == "text/html"
    http.post("/_sandbox/faults", json={"kind": "429", "retry_after": 3})
    limited = http.get("/settlement")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    http.post("/_sandbox/faults", json={"kind": "500", "method": "POST"})
    assert http.post("/refund", json={}).json() == {
        "status": False,
        "message": "An error occurred while processing your request",
    }
    http.post("/_sandbox/faults", json={"kind": "drop", "path": "/transaction/initialize"})
    with pytest.raises(httpx.TransportError):
        http.post("/transaction/initialize", json={"email": "a@b.co", "amount": 10000})
    assert http.get("/settlement").status_code == 200  # each fault fired once
    http.post("/_sandbox/faults", json={"kind": "garbled", "path": "/settlement"})
    assert http.get("/settlement").json() == {"status": True, "message": "OK", "data": "garbled"}


def test_the_control_api(sandbox: PaystackSandbox, http: httpx.Client, receiver: Receiver):
    started = initialize(http)
    done = http.post(f"/_sandbox/transactions/{started['reference']}/complete", json={"channel": "ussd"})
    assert done.status_code == 200 and done.json()["channel"] == "ussd"
    assert http.post(f"/_sandbox/transactions/{started['reference']}/complete", json={}).status_code == 409
    assert http.post(f"/_sandbox/transactions/{started['reference']}/redeliver").status_code == 200
    assert len(http.get("/_sandbox/webhooks").json()["deliveries"]) == 2
    assert http.post("/_sandbox/settlements", json={}).json()["total_processed"] == 500000
    changed = http.post("/_sandbox/settings", json={"currencies": ["NGN", "GHS"], "webhook_url": None}).json()
    assert changed == {
        "webhook_url": None,
        "hold_webhooks": False,
        "currencies": ["GHS", "NGN"],
        "customer_bears_fees": False,
    }
    assert http.post("/_sandbox/clock", json={"seconds": 1}).json()["now"] == "2026-12-07T09:30:01.000Z"
