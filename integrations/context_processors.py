"""The banner on every page when a connection needs re-authorisation or keeps failing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.services import banners_for, linked_providers


def connection_banners(request: HttpRequest) -> dict[str, Any]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return {"connection_banners": [], "linked_providers": set()}
    return {"connection_banners": banners_for(organization.pk), "linked_providers": linked_providers(organization.pk)}
