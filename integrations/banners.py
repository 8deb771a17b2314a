"""The connection banners on every page: connections that need the user, and the providers
linked, cached per organisation. `Connection.set_status` clears the cache when a change commits."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus
from integrations.models.connections import banners_cache_key, connection_name

BANNER_TIMEOUT = 300
CONSENT_WARNING = datetime.timedelta(days=14)


def connection_notices(organization_id: int) -> tuple[list[dict[str, Any]], set[str]]:
    """What every page shows of the connections, in one cache read (two queries a miss): the
    banners of connections that need the user, and the providers with a live connection."""
    key = banners_cache_key(organization_id)
    notices: tuple[list[dict[str, Any]], set[str]] | None = cache.get(key)
    if notices is None:
        live = Connection.objects.filter(organization_id=organization_id).live()
        attention = live.needing_attention() | live.filter(consent_expires_at__lt=timezone.now() + CONSENT_WARNING)
        banners = [
            {
                "pk": connection.pk,
                # The name is put in words per request: the cache is shared by every language.
                "display_name": connection.display_name,
                "provider": connection.provider,
                "needs_reauth": connection.status == ConnectionStatus.NEEDS_REAUTH,
                "failures": connection.consecutive_failures,
                "consent_expires_at": connection.consent_expires_at,
            }
            for connection in attention.distinct()
        ]
        notices = banners, set(live.values_list("provider", flat=True))
        cache.set(key, notices, BANNER_TIMEOUT)
    return notices


def connection_banners(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the banners and linked providers of the request's organisation."""
    organization = getattr(request, "organization", None)
    if organization is None:
        return {"connection_banners": [], "linked_providers": set()}
    banners, providers = connection_notices(organization.pk)
    named = [{**banner, "name": connection_name(banner["display_name"], banner["provider"])} for banner in banners]
    return {"connection_banners": named, "linked_providers": providers}
