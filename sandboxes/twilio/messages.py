"""A Message resource as the sandbox keeps it, its JSON (Messages API, 2010-04-01) and its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from sandboxes.twilio.accounts import ACCOUNT_SID, API_VERSION

# A message created without a Messaging Service starts queued, with one it starts accepted; from
# there it moves one step at a time (twilio.md §Status lifecycle).
PROGRESSION = ("accepted", "queued", "sent", "delivered", "read")
FAILURES = ("failed", "undelivered")
FINAL = ("read", *FAILURES)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's REST dates: `Mon, 07 Dec 2026 04:19:29 +0000`."""
    return format_datetime(moment) if moment is not None else None


@dataclass(frozen=True, slots=True)
class MediaFetch:
    """One download of a media URL, as WhatsApp would make it."""

    url: str
    status: int | None
    content_type: str
    size: int
    error: str | None = None


@dataclass
class Message:
    sid: str
    to: str
    from_: str | None
    body: str
    media_urls: list[str]
    status: str
    date_created: datetime
    messaging_service_sid: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    date_updated: datetime | None = None
    date_sent: datetime | None = None
    statuses: list[str] = field(default_factory=list)
    media_fetches: list[MediaFetch] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def next_status(self) -> str | None:
        """The status one step on, None when there is none."""
        if self.final:
            return None
        return PROGRESSION[PROGRESSION.index(self.status) + 1]

    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{ACCOUNT_SID}/Messages/{self.sid}.json"

    def resource(self) -> dict[str, object]:
        return {
            "account_sid": ACCOUNT_SID,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(len(self.media_urls)),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": self.uri().replace(".json", "/Media.json")},
            "to": self.to,
            "uri": self.uri(),
        }
