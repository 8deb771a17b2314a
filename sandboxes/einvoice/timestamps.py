"""Times as the access point writes them: ISO 8601 in UTC with `Z`, microseconds only when there are any
(pydantic's way)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
