"""Wire formats of the simulated Ponto Connect API: timestamps and base64url.

Ponto writes timestamps as ISO-8601 UTC with milliseconds (`2020-06-19T00:00:00.000Z`) and
amounts as JSON numbers (`sandboxes.kit.exact_json` writes them digit for digit).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime


def iso_ms(moment: datetime) -> str:
    """`2020-06-19T00:00:00.000Z`: UTC, milliseconds, a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 date or timestamp; naive values are taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def b64url(data: bytes) -> str:
    """base64url without padding (JWT, PKCE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
