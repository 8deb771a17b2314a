"""The sandbox's own control API under `/_sandbox/` (not Yuki's): ground truth, data, clock, faults, quota.

No authentication; plain JSON in and out; errors are `{"error": "…"}`, as in the Ponto sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response
from sandboxes.yuki.formats import money, xml_date
from sandboxes.yuki.ground_truth import ground_truth as build_truth
from sandboxes.yuki.records import Entry
from sandboxes.yuki.sales import STYLES

if TYPE_CHECKING:
    from sandboxes.yuki.state import YukiSandbox

ENDPOINTS = {
    "GET /_sandbox/ground-truth": "?administration=&account=&transactions=0: open items, GL lines per account, counts",
    "POST /_sandbox/administrations/{id}/transactions": '{"transactions": [{"glAccountCode", "amount", "date"?, '
    '"description"?, "contactId"?, "counterAccount"?}]}',
    "PATCH /_sandbox/transactions/{id}": '{"amount"?, "date"?, "description"?, "glAccountCode"?}',
    "DELETE /_sandbox/transactions/{id}": "deletes the whole booking (ChangeDigest shows deleted=true)",
    "POST /_sandbox/items/{id}/settle": '{"amount"?, "date"?, "bank"?: code or null}: pay an open item',
    "PATCH /_sandbox/items/{id}": (
        '{"openAmount"?, "originalAmount"?, "date"?, "dueDate"?, "description"?, "reference"?}'
    ),
    "GET|POST|DELETE /_sandbox/faults": '{"kind", "operation"?, "after"?, "times"?, "seconds"?, "message"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
    "GET|POST|DELETE /_sandbox/quota": '{"limit"?: n, "reset"?: true}; DELETE resets every domain',
    "GET|POST /_sandbox/settings": '{"salesResponseStyle": "alternate"|"child"|"text"}',
    "GET /_sandbox/sales-invoices": "every invoice ProcessSalesInvoices received, with its outcome",
    "GET /_sandbox/sessions": "active and expired sessions",
}

Params = dict[str, str]


def _number(body: Mapping[str, object], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ControlError(400, f"{name} must be a number")
    return float(value)


def _lines(sandbox: YukiSandbox, entries: list[Entry]) -> list[dict[str, object]]:
    rendered = []
    for entry in entries:
        admin = sandbox.administration_of_entry(entry)
        rendered.append(
            {
                "id": admin.ledger.entry_id(entry),
                "administrationId": admin.id,
                "glAccountCode": entry.code,
                "date": xml_date(entry.day),
                "amount": money(entry.cents),
                "description": entry.description,
                "deleted": entry.deleted,
            }
        )
    return rendered


def index(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    return json_response(
        {
            "endpoints": ENDPOINTS,
            "services": "/{be|nl}/ws/{Accounting|AccountingInfo|ChangeDigest|Contact|Sales}.asmx",
            "keys": {key.value: {"region": key.region, "domainId": key.domain_id} for key in sandbox.keys.values()},
            "domains": [
                {"id": d.id, "name": d.name, "region": d.region, "administrations": [a.id for a in d.administrations]}
                for d in sandbox.domains
            ],
        }
    )


def ground_truth(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    with sandbox.lock:
        truth = build_truth(
            sandbox,
            request.param("administration"),
            request.param("account"),
            transactions=request.param("transactions") not in ("0", "false"),
        )
    return json_response(truth)


def add_transactions(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    specs = control_body(request).get("transactions")
    if not isinstance(specs, list) or not specs or not all(isinstance(spec, dict) for spec in specs):
        raise ControlError(400, "transactions must be a non-empty list of objects")
    return json_response({"data": _lines(sandbox, sandbox.add_transactions(params["id"], specs))}, 201)


def update_transaction(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    return json_response({"data": _lines(sandbox, sandbox.update_transaction(params["id"], control_body(request)))})


def delete_transaction(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    return json_response({"data": _lines(sandbox, sandbox.delete_transaction(params["id"]))})


def _item(sandbox: YukiSandbox, item_id: str) -> dict[str, object]:
    with sandbox.lock:
        admin, item = sandbox.find_item(item_id)
        return {
            "id": admin.ledger.item_id(item),
            "administrationId": admin.id,
            "reference": item.reference,
            "openAmount": money(item.open_cents),
            "originalAmount": money(item.original_cents),
            "dueDate": xml_date(item.due) or None,
            "description": item.description,
        }


def settle_item(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    booked = sandbox.settle_item(params["id"], control_body(request))
    return json_response({"item": _item(sandbox, params["id"]), "data": _lines(sandbox, booked)})


def update_item(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    sandbox.update_item(params["id"], control_body(request))
    return json_response({"item": _item(sandbox, params["id"])})


def faults(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    if request.method == "POST":
        return json_response(sandbox.add_fault(control_body(request)).describe(), 201)
    if request.method == "DELETE":
        sandbox.faults.clear()
    return json_response({"faults": sandbox.faults.describe()})


def clock(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    if request.method == "POST":
        seconds = _number(control_body(request), "seconds")
        if seconds < 0:
            raise ControlError(400, "the sandbox clock only moves forward")
        sandbox.advance(seconds)
    return json_response({"now": sandbox.now().isoformat()})


def quota(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    if request.method == "POST":
        body = control_body(request)
        if "limit" in body:
            limit = _number(body, "limit")
            if limit < 0 or limit != int(limit):
                raise ControlError(400, "limit must be a whole number of calls")
            sandbox.quota.limit = int(limit)
        if body.get("reset") is True:
            sandbox.quota.reset()
    elif request.method == "DELETE":
        sandbox.quota.reset()
    return json_response(sandbox.quota_usage())


def settings(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    if request.method == "POST":
        style = control_body(request).get("salesResponseStyle", sandbox.sales_response_style)
        if style not in STYLES:
            raise ControlError(400, f"salesResponseStyle must be one of {', '.join(STYLES)}")
        sandbox.sales_response_style = str(style)
    return json_response({"salesResponseStyle": sandbox.sales_response_style, "dailyQuota": sandbox.quota.limit})


def sales_invoices(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    with sandbox.lock:
        return json_response({"data": list(sandbox.sales_log)})


def sessions(sandbox: YukiSandbox, request: Request, params: Params) -> Response:
    return json_response(sandbox.sessions.summary(sandbox.now()))
