"""The hosted checkout, as Mollie's test mode shows it: the payer picks a method (unless the payment
has one) and an outcome, and is sent back to the merchant's `redirectUrl` (or `cancelUrl` when
canceling and one was given). A payment that is no longer open sends the payer straight back.
Plain HTML with a form, no script."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from sandboxes.kit.web import Request, Response, html_response
from sandboxes.mollie.resources import CANCELED, METHODS, OPEN, OUTCOMES, Payment

if TYPE_CHECKING:
    from sandboxes.mollie.state import MollieSandbox

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mollie test checkout</title></head>
<body><h1>Test payment</h1>
<p>{description}: {currency} {value}</p>
<form method="post">
<fieldset><legend>Method</legend>{methods}</fieldset>
<p>Outcome: {buttons}</p>
</form></body></html>
"""


def _see_other(location: str) -> Response:
    return Response(303, b"", [("Location", location)])


def _back(payment: Payment) -> Response:
    if payment.status == CANCELED and payment.cancel_url:
        return _see_other(payment.cancel_url)
    return _see_other(payment.redirect_url)


def _methods(payment: Payment) -> str:
    if payment.method:
        return f'<input type="hidden" name="method" value="{escape(payment.method)}">{escape(payment.method)}'
    return "".join(
        f'<label><input type="radio" name="method" value="{m}"{" checked" if m == "bancontact" else ""}> {m}</label> '
        for m in sorted(METHODS)
    )


def show(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    payment = sandbox.payment(params["id"])
    if payment.status != OPEN:
        return _back(payment)
    buttons = " ".join(f'<button type="submit" name="status" value="{s}">{s}</button>' for s in OUTCOMES)
    return html_response(
        PAGE.format(
            description=escape(payment.description),
            currency=payment.currency,
            value=f"{payment.value:.2f}",
            methods=_methods(payment),
            buttons=buttons,
        )
    )


def submit(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    payment = sandbox.payment(params["id"])
    if payment.status != OPEN:
        return _back(payment)
    form = request.form()
    status, method = form.get("status", ""), form.get("method") or "bancontact"
    if status not in OUTCOMES or method not in METHODS:
        return html_response("<!doctype html><p>Choose a method and an outcome.</p>", 400)
    try:
        payment = sandbox.complete(payment.id, status, method)
    except ValueError:  # completed in between: the payer goes back like anyone late
        payment = sandbox.payment(payment.id)
    return _back(payment)
