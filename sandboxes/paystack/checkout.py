"""The hosted checkout (`authorization_url`), as a test-mode payer sees it: pick a channel and an
outcome; the payer then goes to `callback_url?trxref=<reference>&reference=<reference>`. Closing
the checkout (abandoned) goes to `metadata.cancel_action` when given. Plain HTML, no script."""

from __future__ import annotations

import contextlib
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from sandboxes.kit.web import Request, Response, html_response
from sandboxes.paystack.records import ABANDONED, OUTCOMES, Transaction

if TYPE_CHECKING:
    from sandboxes.paystack.state import PaystackSandbox

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Paystack test checkout</title></head>
<body><h1>Test payment</h1>
<p>{email}: {currency} {amount} (in subunits)</p>
<form method="post">
<fieldset><legend>Channel</legend>{channels}</fieldset>
<p>Outcome: {buttons}</p>
</form></body></html>
"""
DONE = "<!doctype html><p>Payment {status}. You may close this page.</p>"


def _back(transaction: Transaction, outcome: str) -> Response:
    """303 to where the payer goes next; a page when the merchant gave nowhere."""
    metadata = transaction.metadata if isinstance(transaction.metadata, dict) else {}
    cancel_action = metadata.get("cancel_action")
    if outcome == ABANDONED and isinstance(cancel_action, str):
        return Response(303, b"", [("Location", cancel_action)])
    if transaction.callback_url is None:
        return html_response(DONE.format(status=escape(transaction.status)))
    separator = "&" if "?" in transaction.callback_url else "?"
    query = urlencode({"trxref": transaction.reference, "reference": transaction.reference})
    return Response(303, b"", [("Location", f"{transaction.callback_url}{separator}{query}")])


def show(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    transaction = sandbox.transaction_by_code(params["code"])
    if transaction.status != ABANDONED:
        return _back(transaction, transaction.status)
    channels = "".join(
        f'<label><input type="radio" name="channel" value="{c}"{" checked" if i == 0 else ""}> {c}</label> '
        for i, c in enumerate(transaction.channels)
    )
    buttons = " ".join(f'<button type="submit" name="status" value="{s}">{s}</button>' for s in OUTCOMES)
    return html_response(
        PAGE.format(
            email=escape(transaction.customer.email),
            currency=transaction.currency,
            amount=transaction.amount,
            channels=channels,
            buttons=buttons,
        )
    )


def submit(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    transaction = sandbox.transaction_by_code(params["code"])
    form = request.form()
    status, channel = form.get("status", ""), form.get("channel") or transaction.channels[0]
    if status not in OUTCOMES or channel not in transaction.channels:
        return html_response("<!doctype html><p>Choose a channel and an outcome.</p>", 400)
    if transaction.status == ABANDONED and status != ABANDONED:
        with contextlib.suppress(ValueError):  # paid in between: the payer goes back like anyone late
            sandbox.complete(transaction.reference, status, channel)
    return _back(transaction, status)
