"""Template context shared by every page: the current organisation and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.links import links
from core.models import Role

# (label, URL name, role needed to see it). Entries whose URL is not installed are skipped.
NAVIGATION: list[tuple[str, str, Role]] = [
    ("Dashboard", "dashboards:overview", Role.VIEWER),
    ("Invoices", "invoices:invoice_list", Role.VIEWER),
    ("Clients", "invoices:client_list", Role.VIEWER),
    ("Connections", "integrations:connection_list", Role.VIEWER),
    ("Audit", "audit_log", Role.ADMIN),
]


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    membership = getattr(request, "membership", None)
    items = []
    for (label, _, role), url in zip(NAVIGATION, links(url_name for _, url_name, _ in NAVIGATION), strict=True):
        if membership is None or not membership.has_role(role) or url is None:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items


def organization(request: HttpRequest) -> dict[str, Any]:
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "nav_items": _nav_items(request),
    }
