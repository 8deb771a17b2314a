"""The sandbox's own control API under `/twilio/_sandbox/` (not Twilio's): messages and their
progress, status callbacks, WhatsApp sessions, faults and the clock.

No authentication; plain JSON in and out; errors are `{"error": "…"}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response
from sandboxes.twilio.errors import TwilioError
from sandboxes.twilio.messages import Message

if TYPE_CHECKING:
    from sandboxes.twilio.state import TwilioSandbox

ENDPOINTS = {
    "GET /_sandbox/messages": "every message, with its statuses, template variables and media fetches",
    "POST /_sandbox/messages/{sid}/advance": '{"status": "sent"|"delivered"|"read"}: walk the message there',
    "POST /_sandbox/messages/{sid}/fail": '{"error_code"?: 63024, "status"?: "failed"|"undelivered"}',
    "POST /_sandbox/messages/{sid}/redeliver": "post the message's last status callback again",
    "POST /_sandbox/progress": "move every open message one step",
    "GET /_sandbox/callbacks": "every status callback made (or held)",
    "POST /_sandbox/callbacks/hold": '{"hold": true|false}',
    "POST /_sandbox/callbacks/release": '{"reverse"?: true}: post the held callbacks',
    "POST /_sandbox/sessions": '{"number": "whatsapp:+32…"}: the customer wrote in now (24 h window)',
    "GET|POST|DELETE /_sandbox/faults": '{"kind": "429"|"500"|"503"|"timeout"|"drop", "path"?, "method"?, '
    '"times"?, "after"?, "seconds"?, "retry_after"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
}


def _describe(message: Message) -> dict[str, object]:
    return {
        **message.resource(),
        "content_sid": message.content_sid,
        "content_variables": message.content_variables,
        "media_urls": message.media_urls,
        "statuses": message.statuses,
        "media_fetches": [
            {"url": f.url, "status": f.status, "content_type": f.content_type, "bytes": f.size, "error": f.error}
            for f in message.media_fetches
        ],
    }


def _message(sandbox: TwilioSandbox, sid: str) -> Message:
    try:
        return sandbox.message(sid)
    except TwilioError:
        raise ControlError(404, f"no message {sid}") from None


def index(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {
            "endpoints": ENDPOINTS,
            "account_sid": sandbox.account_sid,
            "auth_token": sandbox.auth_token,
            "content_sids": {template.friendly_name: sid for sid, template in sandbox.templates.items()},
            "messages": len(sandbox.messages),
        }
    )


def list_messages(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"messages": [_describe(message) for message in sandbox.messages]})


def advance(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    message = _message(sandbox, params["sid"])
    status = control_body(request).get("status", "delivered")
    try:
        return json_response(_describe(sandbox.advance(message.sid, str(status))))
    except ValueError as error:
        raise ControlError(400, str(error)) from None


def fail(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    message = _message(sandbox, params["sid"])
    body = control_body(request)
    code, status = body.get("error_code", 63024), body.get("status", "failed")
    if isinstance(code, bool) or not isinstance(code, int):
        raise ControlError(400, "error_code must be an integer")
    try:
        return json_response(_describe(sandbox.fail(message.sid, code, str(status))))
    except ValueError as error:
        raise ControlError(400, str(error)) from None


def redeliver(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    delivery = sandbox.redeliver(_message(sandbox, params["sid"]).sid)
    if delivery is None:
        raise ControlError(404, "no status callback was made for this message")
    return json_response(delivery.describe())


def progress(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"moved": [_describe(message) for message in sandbox.progress()]})


def list_callbacks(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {"held": sandbox.hold_callbacks, "callbacks": [d.describe() for d in sandbox.callback_deliveries]}
    )


def hold_callbacks(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    hold = control_body(request).get("hold", True)
    if not isinstance(hold, bool):
        raise ControlError(400, "hold must be true or false")
    sandbox.hold_callbacks = hold
    return json_response({"held": hold})


def release_callbacks(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    reverse = control_body(request).get("reverse", False)
    if not isinstance(reverse, bool):
        raise ControlError(400, "reverse must be true or false")
    return json_response({"released": [d.describe() for d in sandbox.release_callbacks(reverse)]})


def open_session(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    number = control_body(request).get("number")
    if not isinstance(number, str) or not number.startswith("whatsapp:+"):
        raise ControlError(400, "number must be a WhatsApp address, whatsapp:+<E.164>")
    sandbox.open_session(number)
    return json_response({"number": number, "in_session": True})


def list_faults(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        fault = sandbox.faults.add(control_body(request))
    except ValueError as error:
        raise ControlError(400, str(error)) from None
    return json_response(fault.describe(), 201)


def clear_faults(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return Response(204)


def clock(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        seconds = control_body(request).get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float | Decimal) or seconds < 0:
            raise ControlError(400, "seconds must be a non-negative number")
        sandbox.clock.advance(float(seconds))
        sandbox.tick()
    return json_response({"now": sandbox.clock.now().isoformat()})
