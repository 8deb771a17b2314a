"""Reading a `POST …/Messages.json` form as Twilio does: the checks that answer 400 before anything is
created (a session window or media problem fails the message later, not the request)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import phonenumbers

from sandboxes.twilio.accounts import MESSAGING_SERVICE_SID, WHATSAPP_FROM
from sandboxes.twilio.errors import TwilioError, invalid
from sandboxes.twilio.templates import ContentTemplate, content_variables, find

MAX_BODY = 1600
MAX_MEDIA = 10
CHANNEL = "whatsapp"
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")


@dataclass
class SendRequest:
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    media_urls: list[str]
    status_callback: str | None
    template: ContentTemplate | None = None
    variables: dict[str, str] = field(default_factory=dict)


def form_values(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _e164(address: str) -> bool:
    number = address.removeprefix(f"{CHANNEL}:")
    if not re.fullmatch(r"\+[1-9]\d{6,14}", number):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def _web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _sender(form: dict[str, list[str]]) -> tuple[str | None, str | None]:
    sender, service = _first(form, "From"), _first(form, "MessagingServiceSid")
    if not sender and not service:
        raise TwilioError(400, 21603)
    if service and service != MESSAGING_SERVICE_SID:
        raise invalid(21705, service)
    if sender and sender != WHATSAPP_FROM:
        raise invalid(63007, sender)
    return sender or None, service or None


def read_send(form: dict[str, list[str]], templates: dict[str, ContentTemplate]) -> SendRequest:
    """The send a form asks for; TwilioError for what Twilio answers 400."""
    to = _first(form, "To")
    if not to:
        raise TwilioError(400, 21604)
    sender, service = _sender(form)
    if not to.startswith(f"{CHANNEL}:"):
        raise invalid(21910, to)
    if not _e164(to):
        raise invalid(21211, to)
    callback = _first(form, "StatusCallback")
    if callback is not None and not _web_url(callback):
        raise invalid(21609, callback)
    media_urls = form.get("MediaUrl", [])
    if len(media_urls) > MAX_MEDIA or not all(_web_url(url) for url in media_urls):
        raise invalid(21620)
    body, content_sid = _first(form, "Body") or "", _first(form, "ContentSid")
    raw_variables = _first(form, "ContentVariables")
    if content_sid is None:
        if raw_variables is not None:
            raise TwilioError(400, 21654)
        if not body and not media_urls:
            raise TwilioError(400, 21619)
        if len(body) > MAX_BODY:
            raise TwilioError(400, 21617)
        return SendRequest(to, sender, service, body, media_urls, callback)
    if not _CONTENT_SID.match(content_sid):
        raise TwilioError(400, 21655)
    template = find(templates, content_sid)
    variables = content_variables(raw_variables, template)
    rendered, template_media = template.render(variables)
    return SendRequest(to, sender, service, rendered, template_media, callback, template, variables)
