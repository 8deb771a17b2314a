"""The e-invoice.be access point simulator against its contract (peppol.md §3, §4): auth, documents,
sending, the participant registry, inbox and outbox, signed links and faults.

Every test talks HTTP to a real socket on 127.0.0.1 (`serve()` on port 0), under the `/einvoice`
mount a client would use as its base URL. Webhooks are in test_einvoice_webhooks.py, the
validator in test_einvoice_validation.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandboxes.einvoice import DEFAULT_API_KEY, PREFIX, SALES_INVOICE, EInvoiceSandbox, Issue, sample, serve
from sandboxes.einvoice.participants import CREDIT_NOTE_TYPE, INVOICE_TYPE
from sandboxes.einvoice.seeding import INVOICES_ONLY_KBO, UNREGISTERED_KBO

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
SALES = sample(SALES_INVOICE)
BAD_KBO = SALES.replace(b"0700123432", b"0700123431")  # the reference's broken test file (§2.5)


# --- fixtures and helpers ---------------------------------------------------------------------------
@pytest.fixture
def sandbox() -> EInvoiceSandbox:
    return EInvoiceSandbox(seed=2026, now=lambda: NOW)


@pytest.fixture
def http(sandbox: EInvoiceSandbox) -> Iterator[httpx.Client]:
    server, base_url = serve(sandbox)
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(base_url=f"{base_url}{PREFIX}", headers=headers, timeout=5) as client:
        yield client
    server.shutdown()


def upload(http: httpx.Client, xml: bytes = SALES, name: str = "invoice.xml") -> dict[str, Any]:
    response = http.post("/api/documents/ubl", files={"file": (name, xml, "application/xml")})
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def send(http: httpx.Client, document_id: str, **params: str) -> httpx.Response:
    return http.post(f"/api/documents/{document_id}/send", params=params)


def state(http: httpx.Client, document_id: str) -> str:
    return str(http.get(f"/api/documents/{document_id}").json()["state"])


def events(http: httpx.Client, document_id: str) -> list[dict[str, Any]]:
    timeline = http.get(f"/api/documents/{document_id}/timeline").json()
    assert timeline["document_id"] == document_id
    found: list[dict[str, Any]] = timeline["events"]
    return found


def advance(http: httpx.Client, seconds: float) -> None:
    assert http.post("/_sandbox/clock", json={"seconds": seconds}).status_code == 200


def deliver(http: httpx.Client, name: str, copies: int = 1) -> list[dict[str, Any]]:
    response = http.post("/_sandbox/inbox", json={"sample": name, "copies": copies})
    assert response.status_code == 201, response.text
    documents: list[dict[str, Any]] = response.json()["documents"]
    return documents


def fault(http: httpx.Client, **spec: Any) -> None:
    assert http.post("/_sandbox/faults", json=spec).status_code == 201


def drafts(http: httpx.Client, **params: str) -> dict[str, Any]:
    page: dict[str, Any] = http.get("/api/outbox/drafts", params=params).json()
    return page


# --- auth and errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", f"Basic {DEFAULT_API_KEY}", DEFAULT_API_KEY])
def test_a_missing_or_wrong_api_key_is_401(http: httpx.Client, authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    http.headers.pop("Authorization")
    response = http.get("/api/me/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing API key"}


def test_the_key_opens_the_api_at_the_mount_and_at_the_root(http: httpx.Client):
    me = http.get("/api/me/")
    assert me.status_code == 200 and me.json()["peppol_ids"] == ["0208:0477472701"]
    root = str(http.base_url).removesuffix(f"{PREFIX}/").removesuffix(PREFIX)
    assert httpx.get(f"{root}/api/me/", headers=dict(http.headers)).json()["company_number"] == "0477472701"


def test_unknown_document_and_route_are_fastapi_404s(http: httpx.Client):
    assert http.get("/api/documents/doc_nothing").json() == {"detail": "Document not found"}
    unknown = http.get("/api/nothing-here")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not Found"}
    assert http.patch("/api/documents/ubl").status_code == 405


# --- uploading ---------------------------------------------------------------------------------------
def test_an_upload_is_a_draft_with_every_field_read_from_the_xml(http: httpx.Client):
    response = http.post("/api/documents/ubl", files={"file": ("2026-0042.xml", SALES, "application/xml")})
    document = response.json()
    assert document["state"] == "DRAFT" and document["direction"] == "OUTBOUND"
    assert document["document_type"] == "INVOICE" and document["id"].startswith("doc_")
    assert document["created_at"] == "2026-03-16T09:30:00Z"
    expected = {
        "invoice_id": "2026-0042",
        "invoice_date": "2026-02-10",
        "due_date": "2026-03-12",
        "currency": "EUR",
        "subtotal": "910.00",
        "total_tax": "182.10",
        "invoice_total": "1092.10",
        "amount_due": "1092.10",
        "total_discount": "0.00",
        "tax_code": "S",
        "vendor_name": "Smart Invoice Demo BV",
        "vendor_tax_id": "BE0477472701",
        "vendor_company_id": "0477472701",
        "customer_name": "Klant NV",
        "customer_tax_id": "BE0700123432",
        "customer_company_id": "0700123432",
        "customer_peppol_id": "0208:0700123432",
        "payment_term": "Betaling binnen 30 dagen",
    }
    assert {name: document[name] for name in expected} == expected
    assert document["tax_details"] == [{"rate": "21.00", "amount": "178.50"}, {"rate": "6.00", "amount": "3.60"}]
    assert document["payment_details"] == [
        {
            "iban": "BE71096123456769",
            "swift": "GKCCBEBB",
            "payment_reference": "+++000/0202/60064+++",
            "bank_account_number": None,
        }
    ]
    first, second = document["items"]
    assert (first["description"], first["quantity"], first["unit"], first["unit_price"]) == (
        "Consultancy",
        "10",
        "HUR",
        "85.00",
    )
    assert (first["amount"], first["tax_rate"], first["tax"]) == ("850.00", "21.00", "178.50")
    assert (second["amount"], second["tax_rate"], second["tax"]) == ("60.00", "6.00", "3.60")
    # Amounts travel as JSON strings, never numbers a client could read as floats.
    assert '"invoice_total":"1092.10"' in response.text and '"total_tax":"182.10"' in response.text


def test_credit_notes_and_reverse_charge_bills_are_read_as_such(http: httpx.Client):
    credit_note = deliver(http, "credit-note")[0]
    assert credit_note["document_type"] == "CREDIT_NOTE"
    assert (credit_note["invoice_total"], credit_note["due_date"], credit_note["items"][0]["quantity"]) == (
        "121.00",
        None,
        "125",
    )
    reverse_charge = deliver(http, "reverse-charge")[0]
    assert (reverse_charge["tax_code"], reverse_charge["vatex"], reverse_charge["vatex_note"]) == (
        "AE",
        "VATEX-EU-AE",
        "Reverse charge",
    )
    assert reverse_charge["total_tax"] == "0.00" and reverse_charge["invoice_total"] == "250.00"
    assert reverse_charge["vendor_company_id"] == "69599084" and reverse_charge["vendor_tax_id"] == "NL004495445B01"
    assert reverse_charge["payment_details"][0]["iban"] == "NL91ABNA0417164300"


def test_an_upload_without_the_multipart_file_is_422_field_required(http: httpx.Client):
    raw = http.post("/api/documents/ubl", content=SALES, headers={"Content-Type": "application/xml"})
    other_field = http.post("/api/documents/ubl", files={"document": ("invoice.xml", SALES)})
    for response in (raw, other_field):
        assert response.status_code == 422
        assert response.json() == {
            "detail": [{"type": "missing", "loc": ["body", "file"], "msg": "Field required", "input": None}]
        }
    assert drafts(http)["total"] == 0


@pytest.mark.parametrize(
    "content",
    [
        b"<Invoice><cbc:ID>not closed",
        b"%PDF-1.7 not xml at all",
        b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
        b'<Invoice xmlns="urn:example:not-ubl"/>',
    ],
)
def test_what_is_not_a_well_formed_ubl_invoice_or_credit_note_is_refused(http: httpx.Client, content: bytes):
    response = http.post("/api/documents/ubl", files={"file": ("invoice.xml", content)})
    assert response.status_code == 422 and isinstance(response.json()["detail"], str)
    assert drafts(http)["total"] == 0


def test_uploading_the_same_file_twice_makes_two_drafts(http: httpx.Client):
    first, second = upload(http), upload(http)
    assert first["id"] != second["id"]
    page = drafts(http, search="2026-0042")
    assert page["total"] == 2 and {item["id"] for item in page["items"]} == {first["id"], second["id"]}


# --- sending -----------------------------------------------------------------------------------------
def test_a_send_is_in_transit_until_the_clock_moves_then_sent(http: httpx.Client):
    document_id = upload(http)["id"]
    sent = send(http, document_id, receiver_peppol_scheme="0208", receiver_peppol_id="0700123432")
    assert sent.status_code == 200 and sent.json()["state"] == "TRANSIT"
    advance(http, 4.9)
    assert state(http, document_id) == "TRANSIT"
    advance(http, 0.1)
    assert state(http, document_id) == "SENT"
    timeline = events(http, document_id)
    assert [event["event_type"] for event in timeline] == ["document_created", "send_attempted", "send_success"]
    assert timeline[-1]["timestamp"] == "2026-03-16T09:30:05Z"
    outbox = http.get("/api/outbox/").json()
    assert [item["id"] for item in outbox["items"]] == [document_id] and drafts(http)["total"] == 0


def test_the_receiver_comes_from_the_customers_company_id_not_its_endpoint_id(http: httpx.Client):
    # The customer's EndpointID says 9925 (VAT); the SDK derives the receiver from the company id.
    moved = SALES.replace(
        b'<cbc:EndpointID schemeID="0208">0700123432</cbc:EndpointID>',
        b'<cbc:EndpointID schemeID="9925">BE0700123432</cbc:EndpointID>',
    )
    document_id = upload(http, moved)["id"]
    assert send(http, document_id).json()["state"] == "TRANSIT"
    advance(http, 5)
    assert state(http, document_id) == "SENT"
    ubl = http.get(f"/api/documents/{document_id}/ubl").json()
    assert (ubl["receiver_peppol_scheme"], ubl["receiver_peppol_id"]) == ("0208", "0700123432")
    assert (ubl["sender_peppol_scheme"], ubl["sender_peppol_id"]) == ("0208", "0477472701")


def test_a_send_to_a_receiver_not_on_peppol_fails(http: httpx.Client):
    document_id = upload(http)["id"]
    send(http, document_id, receiver_peppol_scheme="0208", receiver_peppol_id=UNREGISTERED_KBO)
    advance(http, 5)
    assert state(http, document_id) == "FAILED"
    failed = events(http, document_id)[-1]
    assert failed["event_type"] == "send_failed"
    assert failed["details"]["reason"] == "receiver_not_registered"
    assert failed["details"]["receiver_peppol_id"] == f"0208:{UNREGISTERED_KBO}"


def test_an_invalid_enterprise_number_fails_the_send_on_rule_r043(http: httpx.Client):
    draft = upload(http, BAD_KBO)
    assert draft["state"] == "DRAFT"  # validation does not refuse an upload; the send fails
    validation = http.post(f"/api/documents/{draft['id']}/validate").json()
    assert validation["is_valid"] is False
    assert {issue["rule_id"] for issue in validation["issues"]} == {"PEPPOL-COMMON-R043"}
    send(http, draft["id"])
    advance(http, 5)
    assert state(http, draft["id"]) == "FAILED"
    details = events(http, draft["id"])[-1]["details"]
    assert details["reason"] == "validation_failed"
    assert [issue["location"] for issue in details["issues"]] == [
        "/Invoice[1]/AccountingCustomerParty[1]/Party[1]/EndpointID[1]",
        "/Invoice[1]/AccountingCustomerParty[1]/Party[1]/PartyLegalEntity[1]/CompanyID[1]",
    ]


def test_a_credit_note_to_a_receiver_that_takes_only_invoices_fails(http: httpx.Client):
    document_id = upload(http, sample("credit-note"))["id"]
    send(http, document_id, receiver_peppol_scheme="0208", receiver_peppol_id=INVOICES_ONLY_KBO)
    advance(http, 5)
    assert state(http, document_id) == "FAILED"
    assert events(http, document_id)[-1]["details"]["reason"] == "document_type_not_supported"


def test_an_injected_as4_error_fails_only_the_next_send(http: httpx.Client):
    fault(http, kind="send_failure", message="AS4 receipt missing")
    first, second = upload(http)["id"], upload(http)["id"]
    send(http, first)
    send(http, second)
    advance(http, 5)
    assert (state(http, first), state(http, second)) == ("FAILED", "SENT")
    assert events(http, first)[-1]["details"]["message"] == "AS4 receipt missing"


def test_only_a_draft_can_be_sent_so_a_retried_send_goes_out_once(http: httpx.Client):
    document_id = upload(http)["id"]
    assert send(http, document_id).status_code == 200
    again = send(http, document_id)
    assert again.status_code == 409 and "TRANSIT" in again.json()["detail"]
    advance(http, 5)
    assert send(http, document_id).status_code == 409
    kinds = [event["event_type"] for event in events(http, document_id)]
    assert kinds.count("send_attempted") == 1 and kinds.count("send_success") == 1


def test_a_receiver_scheme_without_its_id_is_refused_and_nothing_is_sent(http: httpx.Client):
    document_id = upload(http)["id"]
    response = send(http, document_id, receiver_peppol_id="0208:0700123432")
    assert response.status_code == 400
    assert state(http, document_id) == "DRAFT"


def test_the_receiver_may_answer_a_sent_document_with_an_mlr_and_an_imr(http: httpx.Client):
    document_id = upload(http)["id"]
    early = http.post(f"/_sandbox/documents/{document_id}/responses", json={"type": "mlr", "status": "AP"})
    assert early.status_code == 409
    send(http, document_id)
    advance(http, 5)
    body = {"type": "imr", "status": "RE", "reason": "Unknown order reference"}
    assert http.post(f"/_sandbox/documents/{document_id}/responses", json={"type": "mlr", "status": "AP"}).is_success
    assert http.post(f"/_sandbox/documents/{document_id}/responses", json=body).status_code == 201
    last_two = events(http, document_id)[-2:]
    assert [event["event_type"] for event in last_two] == ["mlr_received", "imr_received"]
    assert last_two[1]["details"] == {"status": "RE", "reason": "Unknown order reference"}


def test_a_deleted_document_is_gone(http: httpx.Client):
    document_id = upload(http)["id"]
    assert http.delete(f"/api/documents/{document_id}").json() == {"is_deleted": True}
    assert http.get(f"/api/documents/{document_id}").status_code == 404
    assert http.delete(f"/api/documents/{document_id}").status_code == 404


# --- the network -------------------------------------------------------------------------------------
def test_peppol_id_validation_and_lookup_answer_from_the_registry(http: httpx.Client):
    known = http.get("/api/validate/peppol-id", params={"peppol_id": "0208:0700123432"}).json()
    assert known["is_valid"] is True and known["business_card"]["name"] == "Klant NV"
    assert known["supported_document_types"] == [INVOICE_TYPE, CREDIT_NOTE_TYPE]
    unknown = http.get("/api/validate/peppol-id", params={"peppol_id": f"0208:{UNREGISTERED_KBO}"}).json()
    assert unknown["is_valid"] is False and unknown["supported_document_types"] == []
    lookup = http.get("/api/lookup", params={"peppol_id": "0208:0700123432"}).json()
    assert lookup["status"] == "success" and lookup["queryMetadata"]["identifierValue"] == "0208:0700123432"
    document_types = lookup["serviceMetadata"]["endpoints"][0]["documentTypes"]
    assert {"scheme": "busdox-docid-qns", "value": INVOICE_TYPE} in document_types
    assert http.get("/api/lookup", params={"peppol_id": f"0208:{UNREGISTERED_KBO}"}).json()["status"] == "error"
    missing = http.get("/api/validate/peppol-id")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "peppol_id"]


def test_the_directory_search_finds_participants_by_name_and_country(http: httpx.Client):
    found = http.get("/api/lookup/participants", params={"query": "wolkwerk", "country_code": "NL"}).json()
    assert found["total_count"] == 2
    assert {p["peppol_id"] for p in found["participants"]} == {"0106:69599084", "9944:NL004495445B01"}
    assert (
        http.get("/api/lookup/participants", params={"query": "wolkwerk", "country_code": "BE"}).json()["participants"]
        == []
    )


def test_the_control_api_puts_participants_on_and_off_the_network(http: httpx.Client):
    newcomer = {"peppol_id": f"0208:{UNREGISTERED_KBO}", "name": "Nieuw BV", "document_types": ["invoice"]}
    assert http.post("/_sandbox/participants", json=newcomer).status_code == 201
    answer = http.get("/api/validate/peppol-id", params={"peppol_id": f"0208:{UNREGISTERED_KBO}"}).json()
    assert answer["is_valid"] is True and answer["supported_document_types"] == [INVOICE_TYPE]
    assert http.delete("/_sandbox/participants/0208:0700123432").status_code == 200
    document_id = upload(http)["id"]
    send(http, document_id)
    advance(http, 5)
    assert state(http, document_id) == "FAILED"


def test_me_describes_the_tenant(http: httpx.Client):
    me = http.get("/api/me/").json()
    assert (me["name"], me["company_tax_id"], me["smp_registration"]) == ("Smart Invoice Demo BV", "BE0477472701", True)


# --- receiving, inbox and outbox ----------------------------------------------------------------------
def test_a_duplicate_delivery_shows_twice_in_the_inbox_with_the_same_ubl(http: httpx.Client):
    first, second = deliver(http, "invoice-21-6", copies=2)
    assert first["id"] != second["id"] and first["state"] == second["state"] == "RECEIVED"
    assert first["direction"] == "INBOUND"
    inbox = http.get("/api/inbox/").json()
    assert inbox["total"] == 2 and {item["invoice_id"] for item in inbox["items"]} == {"DP-2026-0117"}
    expected_hash = hashlib.sha256(sample("invoice-21-6")).hexdigest()
    for document in (first, second):
        link = http.get(f"/api/documents/{document['id']}/ubl").json()
        assert link["file_hash"] == expected_hash
        assert httpx.get(link["signed_url"]).content == sample("invoice-21-6")
        assert [event["event_type"] for event in events(http, document["id"])] == ["receive_success"]


def test_received_invoices_and_credit_notes_are_listed_apart(http: httpx.Client):
    deliver(http, "invoice-21-6")
    deliver(http, "credit-note")
    deliver(http, "reverse-charge")
    invoices = http.get("/api/inbox/invoices").json()
    credit_notes = http.get("/api/inbox/credit-notes").json()
    assert sorted(item["invoice_id"] for item in invoices["items"]) == ["DP-2026-0117", "WW-2026-00311"]
    assert [item["invoice_id"] for item in credit_notes["items"]] == ["DP-2026-0121"]
    assert http.get("/api/inbox/", params={"type": "CREDIT_NOTE"}).json()["total"] == 1
    assert http.get("/api/inbox/", params={"sender": "wolkwerk"}).json()["total"] == 1
    assert http.get("/api/outbox/").json()["total"] == 0  # received documents are not in the outbox


def test_pages_walk_every_document_once(http: httpx.Client):
    delivered = [
        document["id"]
        for name in ("invoice-21-6", "credit-note", "reverse-charge")
        for document in deliver(http, name, 2)
    ]
    seen: list[str] = []
    for page_number in (1, 2, 3):
        page = http.get("/api/inbox/", params={"page": page_number, "page_size": 2}).json()
        assert (page["page"], page["page_size"], page["pages"], page["total"]) == (page_number, 2, 3, 6)
        assert page["has_next_page"] is (page_number < 3)
        seen += [item["id"] for item in page["items"]]
    assert seen == delivered[::-1]  # newest first by default
    beyond = http.get("/api/inbox/", params={"page": 4, "page_size": 2}).json()
    assert beyond["items"] == [] and beyond["has_next_page"] is False


def test_sorting_and_the_issue_date_filter(http: httpx.Client):
    for name in ("with-warnings", "invoice-21-6", "reverse-charge", "credit-note"):
        deliver(http, name)
    by_date = http.get("/api/inbox/", params={"sort_by": "invoice_date", "sort_order": "asc"}).json()
    assert [item["invoice_date"] for item in by_date["items"]] == [
        "2026-02-12",
        "2026-02-17",
        "2026-02-28",
        "2026-03-02",
    ]
    by_total = http.get("/api/inbox/", params={"sort_by": "invoice_total", "sort_order": "desc"}).json()
    assert [item["invoice_total"] for item in by_total["items"]] == ["537.00", "250.00", "121.00", "72.60"]
    window = {
        "date_from": "2026-02-13",
        "date_to": "2026-02-28T00:00:00",
        "sort_by": "invoice_date",
        "sort_order": "asc",
    }
    assert [item["invoice_id"] for item in http.get("/api/inbox/", params=window).json()["items"]] == [
        "DP-2026-0121",
        "WW-2026-00311",
    ]


@pytest.mark.parametrize(
    ("params", "loc", "kind"),
    [
        ({"page": "0"}, ["query", "page"], "greater_than_equal"),
        ({"page": "first"}, ["query", "page"], "int_parsing"),
        ({"page_size": "101"}, ["query", "page_size"], "less_than_equal"),
        ({"sort_by": "amount"}, ["query", "sort_by"], "enum"),
        ({"date_from": "last week"}, ["query", "date_from"], "datetime_parsing"),
    ],
)
def test_list_parameters_that_do_not_parse_are_422(
    http: httpx.Client, params: dict[str, str], loc: list[str], kind: str
):
    response = http.get("/api/inbox/", params=params)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert (error["loc"], error["type"]) == (loc, kind)


# --- signed links --------------------------------------------------------------------------------------
def test_the_ubl_link_needs_no_key_and_expires(http: httpx.Client, sandbox: EInvoiceSandbox):
    document_id = upload(http)["id"]
    link = http.get(f"/api/documents/{document_id}/ubl").json()
    assert link["file_name"] == "invoice.xml" and link["file_size"] == len(SALES)
    assert link["signed_url"].startswith(f"{http.base_url}".rstrip("/") + "/files/")
    fetched = httpx.get(link["signed_url"])  # no Authorization header
    assert fetched.status_code == 200 and fetched.content == SALES
    parts = urlsplit(link["signed_url"])
    tampered = f"{parts.scheme}://{parts.netloc}{parts.path}?expires={int(parse_qs(parts.query)['expires'][0]) + 60}"
    assert httpx.get(f"{tampered}&signature={parse_qs(parts.query)['signature'][0]}").status_code == 403
    advance(http, sandbox.links.lifetime + 1)
    expired = httpx.get(link["signed_url"])
    assert expired.status_code == 403 and b"Request has expired" in expired.content
    fresh = http.get(f"/api/documents/{document_id}/ubl").json()["signed_url"]
    assert httpx.get(fresh).content == SALES


def test_the_link_lifetime_is_a_setting(http: httpx.Client):
    assert http.post("/_sandbox/settings", json={"signed_url_lifetime": 30}).json()["signed_url_lifetime"] == 30
    link = http.get(f"/api/documents/{upload(http)['id']}/ubl").json()["signed_url"]
    advance(http, 31)
    assert httpx.get(link).status_code == 403


# --- faults -------------------------------------------------------------------------------------------
def test_429_carries_retry_after_and_lets_the_next_call_through(http: httpx.Client):
    fault(http, kind="429", path="/api/documents/ubl", retry_after=7, should_retry=True)
    throttled = http.post("/api/documents/ubl", files={"file": ("invoice.xml", SALES)})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "7"
    assert throttled.headers["x-should-retry"] == "true" and throttled.json() == {"detail": "Too Many Requests"}
    assert drafts(http)["total"] == 0
    upload(http)
    assert drafts(http)["total"] == 1


@pytest.mark.parametrize(("kind", "content_type"), [("500", "text/plain"), ("502", "text/html"), ("503", "text/html")])
def test_server_errors_are_not_json_and_change_nothing(http: httpx.Client, kind: str, content_type: str):
    fault(http, kind=kind, path="/api/documents", method="POST")
    response = http.post("/api/documents/ubl", files={"file": ("invoice.xml", SALES)})
    assert response.status_code == int(kind) and response.headers["content-type"].startswith(content_type)
    assert drafts(http)["total"] == 0


def test_a_timeout_before_accepting_creates_nothing(http: httpx.Client):
    fault(http, kind="timeout", path="/api/documents/ubl", seconds=1)
    with pytest.raises(httpx.ReadTimeout):
        http.post("/api/documents/ubl", files={"file": ("invoice.xml", SALES)}, timeout=0.3)
    assert drafts(http)["total"] == 0


def test_a_timeout_after_accepting_an_upload_leaves_the_document_created(http: httpx.Client):
    fault(http, kind="accepted_timeout", path="/api/documents/ubl", seconds=1)
    with pytest.raises(httpx.ReadTimeout):
        http.post("/api/documents/ubl", files={"file": ("invoice.xml", SALES)}, timeout=0.3)
    created = drafts(http, search="2026-0042")
    assert created["total"] == 1 and created["items"][0]["state"] == "DRAFT"


def test_a_timeout_after_accepting_a_send_leaves_it_sent_once(http: httpx.Client):
    document_id = upload(http)["id"]
    fault(http, kind="accepted_timeout", path=f"/api/documents/{document_id}/send", seconds=1)
    with pytest.raises(httpx.ReadTimeout):
        http.post(f"/api/documents/{document_id}/send", timeout=0.3)
    assert state(http, document_id) == "TRANSIT"
    assert send(http, document_id).status_code == 409  # the client's retry cannot send it twice
    advance(http, 5)
    assert state(http, document_id) == "SENT"
    assert [e["event_type"] for e in events(http, document_id)].count("send_attempted") == 1


def test_control_calls_are_never_faulted_and_bad_faults_are_refused(http: httpx.Client):
    fault(http, kind="500", times=None)
    assert http.get("/_sandbox/faults").status_code == 200
    assert http.get("/api/me/").status_code == 500
    assert http.delete("/_sandbox/faults").status_code == 200
    assert http.get("/api/me/").status_code == 200
    assert http.post("/_sandbox/faults", json={"kind": "418"}).status_code == 400
    assert http.post("/_sandbox/faults", json={"kind": "429", "should_retry": "yes"}).status_code == 400


# --- the pluggable validator -----------------------------------------------------------------------------
def test_the_sandbox_runs_the_validator_it_is_given(http: httpx.Client, sandbox: EInvoiceSandbox):
    seen: list[bytes] = []

    def strict(raw: bytes) -> list[Issue]:
        seen.append(raw)
        return [
            {
                "message": "[BR-CO-14]-Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).",
                "type": "error",
                "rule_id": "BR-CO-14",
                "flag": "fatal",
                "schematron": "CEN-EN16931",
                "location": "/Invoice[1]/TaxTotal[1]",
                "test": None,
            }
        ]

    sandbox.validator = strict
    checked = http.post("/api/validate/ubl", files={"file": ("invoice.xml", SALES)}).json()
    assert checked["is_valid"] is False and checked["issues"][0]["rule_id"] == "BR-CO-14"
    assert checked["file_name"] == "invoice.xml"
    document_id = upload(http)["id"]
    send(http, document_id)
    advance(http, 5)
    assert state(http, document_id) == "FAILED"
    assert seen == [SALES, SALES]
