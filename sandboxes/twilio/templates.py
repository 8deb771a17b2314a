"""Approved WhatsApp content templates (Content API, `twilio/media`) and how a send fills them in.

A `twilio/media` template's media URL may end in a variable; the part before it is fixed in the
template (WhatsApp approves the template with that prefix), so a send gives only the rest of the
URL in `ContentVariables` (twilio.md §Content templates).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from sandboxes.twilio.accounts import ACCOUNT_SID
from sandboxes.twilio.errors import TwilioError, invalid

CONTENT_SIDS = {"invoice": "HXa1b2c3d4e5f60718293a4b5c6d7e8f90", "reminder": "HXb2c3d4e5f60718293a4b5c6d7e8f90a1"}
MEDIA_VARIABLE = "5"
CONTENT_API = "https://content.twilio.com/v1/Content"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Twilio refuses a body variable holding a newline, a tab or more than four spaces in a row (21656).
_BODY_UNSAFE = re.compile(r"[\n\t]| {5,}")

_BODIES = {
    "invoice": "Hello {{1}}, invoice {{2}} for {{3}} is attached. View and pay it here: {{4}} Thank you.",
    "reminder": "Hello {{1}}, invoice {{2}} for {{3}} is still open. View and pay it here: {{4}} Thank you.",
}
_SAMPLES = {
    "1": "Brouwerij De Klok BV",
    "2": "INV-2026-0001",
    "3": "EUR 1,210.00",
    "4": "https://app.example.com/pay/abc",
    MEDIA_VARIABLE: "demo-cloud/raw/download?public_id=invoices/INV-2026-0001.pdf",
}


@dataclass(frozen=True, slots=True)
class ContentTemplate:
    sid: str
    friendly_name: str
    body: str
    media: str
    created_at: datetime
    language: str = "en"
    category: str = "UTILITY"
    variables: dict[str, str] = field(default_factory=dict)

    def resource(self, when: str) -> dict[str, object]:
        url = f"{CONTENT_API}/{self.sid}"
        return {
            "sid": self.sid,
            "account_sid": ACCOUNT_SID,
            "friendly_name": self.friendly_name,
            "language": self.language,
            "variables": self.variables,
            "types": {"twilio/media": {"body": self.body, "media": [self.media]}},
            "url": url,
            "date_created": when,
            "date_updated": when,
            "links": {
                "approval_fetch": f"{url}/ApprovalRequests",
                "approval_create": f"{url}/ApprovalRequests/whatsapp",
            },
        }

    def approval(self) -> dict[str, object]:
        return {
            "sid": self.sid,
            "account_sid": ACCOUNT_SID,
            "whatsapp": {
                "category": self.category,
                "content_type": "twilio/media",
                "name": self.friendly_name,
                "rejection_reason": "",
                "status": "approved",
                "type": "whatsapp",
            },
            "url": f"{CONTENT_API}/{self.sid}/ApprovalRequests",
        }

    def render(self, variables: dict[str, str]) -> tuple[str, list[str]]:
        """The body and media URLs of a send; a variable left out takes the template's default."""
        values = {**self.variables, **variables}

        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)

        return fill(self.body), [fill(self.media)]


def approved_templates(media_prefix: str, created_at: datetime) -> dict[str, ContentTemplate]:
    """The account's approved templates by sid: an invoice and a reminder, each with its PDF."""
    return {
        CONTENT_SIDS[name]: ContentTemplate(
            sid=CONTENT_SIDS[name],
            friendly_name=f"smart_invoice_{name}",
            body=body,
            media=f"{media_prefix}{{{{{MEDIA_VARIABLE}}}}}",
            created_at=created_at,
            variables=dict(_SAMPLES),
        )
        for name, body in _BODIES.items()
    }


def content_variables(raw: str | None, template: ContentTemplate) -> dict[str, str]:
    """`ContentVariables` read as Twilio reads it: a JSON object of non-empty values (else 21656)."""
    if raw is None:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise invalid(21656) from None
    if not isinstance(parsed, dict):
        raise invalid(21656)
    body_keys = set(_PLACEHOLDER.findall(template.body))
    variables: dict[str, str] = {}
    for key, value in parsed.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise invalid(21656)
        text = str(value)
        if not text.strip() or (key in body_keys and _BODY_UNSAFE.search(text)):
            raise invalid(21656)
        variables[str(key)] = text
    return variables


def find(templates: dict[str, ContentTemplate], sid: str) -> ContentTemplate:
    template = templates.get(sid)
    if template is None:
        raise TwilioError(400, 21655)
    return template
