"""Template context shared by every page: the current organisation and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.links import links
from core.models import Role

# (label, URL name, role needed to see it). Entries whose URL is not installed are skipped.
NAVIGATION: list[tuple[str | Promise, str, Role]] = [
    (_("Dashboard"), "dashboards:overview", Role.VIEWER),
    (_("Invoices"), "invoices:invoice_list", Role.VIEWER),
    (_("Clients"), "invoices:client_list", Role.VIEWER),
    (_("Transactions"), "banking:transactions", Role.VIEWER),
    (_("Connections"), "integrations:connection_list", Role.VIEWER),
    (_("Audit"), "audit_log", Role.ADMIN),
]


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    membership = getattr(request, "membership", None)
    items = []
    for (label, _name, role), url in zip(NAVIGATION, links(name for _label, name, _role in NAVIGATION), strict=True):
        if membership is None or not membership.has_role(role) or url is None:
            continue
        items.append({"label": label, "url": url, "active": False})
    # The section open is the longest entry the path starts with: /dashboard/transactions/ is
    # Transactions, not also Dashboard.
    sections = [item for item in items if request.path == item["url"] or request.path.startswith(item["url"])]
    sections = [item for item in sections if item["url"] != "/" or request.path == "/"]
    if sections:
        max(sections, key=lambda item: len(item["url"]))["active"] = True
    return items


def organization(request: HttpRequest) -> dict[str, Any]:
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "nav_items": _nav_items(request),
    }
