"""Twilio's Messages API for WhatsApp: one approved content template (ContentSid) with its variables,
a message's current status, and Twilio's refusals sorted into permanent (the message fails, with
Twilio's code) and transient (timeouts, 429, 5xx: the worker tries again).

The SDK calls https://api.twilio.com; TWILIO_API_URL replaces that origin (the sandbox in
development, or a test server), so the same code talks to either.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"


class SendFault(Exception):
    """Twilio did not take the message. `permanent`: sending it again cannot help."""

    def __init__(self, message: str, *, code: int | None = None, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Accepted:
    sid: str
    status: str


class _RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends the SDK's requests for api.twilio.com to TWILIO_API_URL instead."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_WHATSAPP_FROM)


def client() -> Client:
    http_client = _RedirectingHttpClient(settings.TWILIO_API_URL, settings.TWILIO_TIMEOUT_SECONDS)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def sender() -> str:
    number = str(settings.TWILIO_WHATSAPP_FROM)
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


def status_callback_url() -> str:
    """Where Twilio posts a message's statuses: the public address, which it also signs."""
    return f"{settings.SITE_URL}{reverse('messaging:twilio_status')}"


def send_template(to: str, content_sid: str, variables: dict[str, str]) -> Accepted:
    """Hand one WhatsApp template message to Twilio; raises SendFault when it is not taken."""
    if not configured():
        raise SendFault("WhatsApp through Twilio is not set up in this installation.", permanent=True)
    try:
        message = client().messages.create(
            to=f"whatsapp:{to}",
            from_=sender(),
            content_sid=content_sid,
            content_variables=json.dumps(variables, ensure_ascii=False),
            status_callback=status_callback_url(),
        )
    except TwilioRestException as exc:
        raise classify(exc) from exc
    except (requests.RequestException, TwilioException, ValueError) as exc:
        # No answer, or none we can read (a proxy's page instead of JSON is a ValueError): Twilio
        # may not have the message. Try again later.
        raise SendFault(f"Twilio did not answer ({exc.__class__.__name__}).", permanent=False) from exc
    return Accepted(sid=str(message.sid), status=str(message.status))


@dataclass(frozen=True)
class Reported:
    """Where Twilio says a message stands."""

    status: str
    error_code: int | None
    error_message: str


def fetch_status(sid: str) -> Reported:
    """The message as Twilio has it now (for a status callback that never arrived)."""
    try:
        message = client().messages(sid).fetch()
    except TwilioRestException as exc:
        raise classify(exc) from exc
    except (requests.RequestException, TwilioException, ValueError) as exc:
        raise SendFault(f"Twilio did not answer ({exc.__class__.__name__}).", permanent=False) from exc
    code = message.error_code if isinstance(message.error_code, int) else None
    return Reported(status=str(message.status), error_code=code, error_message=str(message.error_message or ""))


def classify(exc: TwilioRestException) -> SendFault:
    """429 and 5xx are Twilio's to recover from; any other refusal is about this message."""
    transient = exc.status == 429 or exc.status >= 500
    text = str(exc.msg or f"HTTP {exc.status}")
    logger.warning("Twilio refused a message (HTTP %s, code %s): %s", exc.status, exc.code, text)
    return SendFault(text, code=exc.code, permanent=not transient)
