"""The banner on every page when a connection needs re-authorisation or keeps failing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.services import connection_notices


def connection_banners(request: HttpRequest) -> dict[str, Any]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return {"connection_banners": [], "linked_providers": set()}
    banners, providers = connection_notices(organization.pk)
    return {"connection_banners": banners, "linked_providers": providers}
