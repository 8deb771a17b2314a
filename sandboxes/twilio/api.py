"""The REST API's handlers: Messages (2010-04-01) and the Content API (v1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.kit.web import Request, Response, json_response
from sandboxes.twilio.errors import TwilioError
from sandboxes.twilio.messages import rfc2822
from sandboxes.twilio.sending import form_values, read_send
from sandboxes.twilio.templates import CONTENT_API

if TYPE_CHECKING:
    from sandboxes.twilio.state import TwilioSandbox

PAGE_SIZE = 50


def create_message(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    send = read_send(form_values(request.body), sandbox.templates)
    return json_response(sandbox.create(send).resource(), 201)


def fetch_message(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.message(params["sid"]).resource())


def list_content(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    contents = [template.resource(str(rfc2822(template.created_at))) for template in sandbox.templates.values()]
    page_url = f"{CONTENT_API}?PageSize={PAGE_SIZE}&Page=0"
    meta = {
        "page": 0,
        "page_size": PAGE_SIZE,
        "first_page_url": page_url,
        "previous_page_url": None,
        "url": page_url,
        "next_page_url": None,
        "key": "contents",
    }
    return json_response({"contents": contents, "meta": meta})


def _template_not_found(sid: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource /Content/{sid} was not found")


def fetch_content(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    template = sandbox.templates.get(params["sid"])
    if template is None:
        raise _template_not_found(params["sid"])
    return json_response(template.resource(str(rfc2822(template.created_at))))


def fetch_approval(sandbox: TwilioSandbox, request: Request, params: dict[str, str]) -> Response:
    template = sandbox.templates.get(params["sid"])
    if template is None:
        raise _template_not_found(params["sid"])
    return json_response(template.approval())
