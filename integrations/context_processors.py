"""The banner on every page when a connection needs re-authorisation or keeps failing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.services import banners_for


def connection_banners(request: HttpRequest) -> dict[str, Any]:
    organization = getattr(request, "organization", None)
    return {"connection_banners": banners_for(organization.pk) if organization is not None else []}
