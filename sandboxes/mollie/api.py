"""Mollie API v2 handlers: payments, their refunds and chargebacks, settlements
(docs.mollie.com/reference/v2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from sandboxes.kit.routing import mounted_root
from sandboxes.kit.web import InvalidJson, Request, Response, json_response
from sandboxes.mollie.errors import HAL, MollieError, unprocessable
from sandboxes.mollie.money import parse_amount
from sandboxes.mollie.mount import PREFIX
from sandboxes.mollie.resources import DOCS, EUR_ONLY_METHODS, METHODS, NewPayment, link

if TYPE_CHECKING:
    from sandboxes.mollie.state import MollieSandbox

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 50, 250


class _Listed(Protocol):
    """A refund, chargeback or settlement: listed by its id, shown as its resource."""

    @property
    def id(self) -> str: ...

    def resource(self, root: str) -> dict[str, object]: ...


LOCALES = frozenset(
    [
        "en_US",
        "en_GB",
        "nl_NL",
        "nl_BE",
        "fr_FR",
        "fr_BE",
        "de_DE",
        "de_AT",
        "de_CH",
        "es_ES",
        "ca_ES",
        "pt_PT",
        "it_IT",
        "nb_NO",
        "sv_SE",
        "fi_FI",
        "da_DK",
        "is_IS",
        "hu_HU",
        "pl_PL",
        "lv_LV",
        "lt_LT",
    ]
)


def root(request: Request) -> str:
    """`http://host:port` or `http://host:port/mollie`, as this request came in."""
    return mounted_root(request, PREFIX)


def _body(request: Request) -> dict[str, object]:
    try:
        body = request.json()
    except InvalidJson as error:
        raise MollieError(400, "The request body is not valid JSON") from error
    if not isinstance(body, dict):
        raise MollieError(400, "The request body must be a JSON object")
    return body


def _text(body: dict[str, object], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise unprocessable(f"The {name} is required" if value is None else f"The {name} is invalid", name)
    return value


def _url(body: dict[str, object], name: str) -> str:
    value = _text(body, name)
    if not value.startswith(("http://", "https://")):
        raise unprocessable(f"The {name} is invalid: it must be an absolute http(s) URL", name)
    return value


def _optional_url(body: dict[str, object], name: str) -> str | None:
    return None if body.get(name) is None else _url(body, name)


def create_payment(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    if "amount" not in body:
        raise unprocessable("The amount is required for payments", "amount")
    currency, value = parse_amount(body["amount"], "amount", sandbox.currencies)
    if value < sandbox.minimum:
        raise unprocessable(f"The amount is lower than the minimum of {sandbox.minimum:.2f}", "amount")
    description = _text(body, "description")
    method = body.get("method")
    if method is not None and (not isinstance(method, str) or method not in METHODS):
        raise unprocessable(f"The payment method is invalid: {method!r}", "method")
    if method in EUR_ONLY_METHODS and currency != "EUR":
        raise unprocessable(f"The payment method {method} only takes EUR", "method")
    locale = body.get("locale")
    if locale is not None and locale not in LOCALES:
        raise unprocessable(f"The locale is invalid: {locale!r}", "locale")
    payment = sandbox.create_payment(
        NewPayment(
            currency=currency,
            value=value,
            description=description[:255],
            redirect_url=_url(body, "redirectUrl"),
            cancel_url=_optional_url(body, "cancelUrl"),
            webhook_url=_optional_url(body, "webhookUrl"),
            metadata=body.get("metadata"),
            method=method,
            locale=str(locale) if locale else None,
        )
    )
    return json_response(payment.resource(root(request), sandbox.cancelable_methods), 201, HAL)


def get_payment(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    payment = sandbox.payment(params["id"])
    return json_response(payment.resource(root(request), sandbox.cancelable_methods), 200, HAL)


def cancel_payment(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    payment = sandbox.cancel(params["id"])
    return json_response(payment.resource(root(request), sandbox.cancelable_methods), 200, HAL)


def _page(request: Request, items: Sequence[T], key: Callable[[T], str]) -> tuple[list[T], str | None, str | None]:
    """Mollie's cursor pagination: `from` (an id, included) and `limit` (at most 250); the page,
    the id the next page starts at and the id the previous one starts at."""
    limit_text = request.param("limit") or str(DEFAULT_LIMIT)
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise MollieError(400, f"The limit must be a number from 1 to {MAX_LIMIT}", "limit")
    limit = int(limit_text)
    ids = [key(item) for item in items]
    start = request.param("from")
    if start is not None and start not in ids:
        raise MollieError(400, f"The from parameter is invalid: {start} is not in the list", "from")
    first = ids.index(start) if start is not None else 0
    page = list(items[first : first + limit])
    following = ids[first + limit] if first + limit < len(ids) else None
    previous = ids[max(0, first - limit)] if first > 0 else None
    return page, following, previous


def _listing(
    request: Request, embedded: str, path: str, items: list[dict[str, object]], cursors: tuple[str | None, str | None]
) -> Response:
    """A HAL list: `count`, `_embedded.<embedded>` and the `self`, `previous`, `next` links."""
    base = f"{root(request)}{path}"
    limit = request.param("limit") or str(DEFAULT_LIMIT)
    following, previous = cursors
    query = f"?from={request.param('from')}&limit={limit}" if request.param("from") else f"?limit={limit}"
    links = {
        "self": link(base + query),
        "previous": link(f"{base}?from={previous}&limit={limit}") if previous else None,
        "next": link(f"{base}?from={following}&limit={limit}") if following else None,
        "documentation": link(f"{DOCS}/{embedded}-api", "text/html"),
    }
    return json_response({"count": len(items), "_embedded": {embedded: items}, "_links": links}, 200, HAL)


def _list(request: Request, embedded: str, path: str, items: Sequence[_Listed]) -> Response:
    """A page of `items`, each as its resource, as the HAL list at `path`."""
    page, following, previous = _page(request, items, lambda item: item.id)
    return _listing(request, embedded, path, [item.resource(root(request)) for item in page], (following, previous))


def list_payments(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    page, following, previous = _page(request, sandbox.payments(), lambda p: p.id)
    resources = [p.resource(root(request), sandbox.cancelable_methods) for p in page]
    return _listing(request, "payments", "/v2/payments", resources, (following, previous))


def create_refund(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    if "amount" not in body:
        raise unprocessable("The amount is required for refunds", "amount")
    currency, value = parse_amount(body["amount"], "amount", sandbox.currencies)
    description = body.get("description") or ""
    if not isinstance(description, str) or len(description) > 140:
        raise unprocessable("The description is invalid: a text of at most 140 characters", "description")
    refund = sandbox.refund(params["id"], currency, value, description, body.get("metadata"))
    return json_response(refund.resource(root(request)), 201, HAL)


def list_refunds(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    refunds = list(reversed(sandbox.payment(params["id"]).refunds))
    return _list(request, "refunds", f"/v2/payments/{params['id']}/refunds", refunds)


def get_refund(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.refund_of(params["id"], params["refund"]).resource(root(request)), 200, HAL)


def cancel_refund(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.cancel_refund(params["id"], params["refund"])
    return Response(204)


def list_chargebacks(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    chargebacks = list(reversed(sandbox.payment(params["id"]).chargebacks))
    return _list(request, "chargebacks", f"/v2/payments/{params['id']}/chargebacks", chargebacks)


def get_chargeback(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.chargeback_of(params["id"], params["chargeback"]).resource(root(request)), 200, HAL)


def list_settlements(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return _list(request, "settlements", "/v2/settlements", sandbox.settlements())


def get_settlement(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.settlement(params["id"]).resource(root(request)), 200, HAL)


def list_settlement_payments(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    settlement = sandbox.settlement(params["id"])
    page, following, previous = _page(request, list(reversed(settlement.payments)), lambda p: p.id)
    resources = [p.resource(root(request), sandbox.cancelable_methods) for p in page]
    path = f"/v2/settlements/{settlement.id}/payments"
    return _listing(request, "payments", path, resources, (following, previous))


def list_settlement_refunds(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    settlement = sandbox.settlement(params["id"])
    return _list(request, "refunds", f"/v2/settlements/{settlement.id}/refunds", list(reversed(settlement.refunds)))
