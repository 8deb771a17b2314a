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
    shown: list[tuple[str | Promise, str]] = []
    for (label, _name, role), url in zip(NAVIGATION, links(name for _label, name, _role in NAVIGATION), strict=True):
        if membership is not None and membership.has_role(role) and url is not None:
            shown.append((label, url))
    # The section open is the longest entry the path starts with: /dashboard/transactions/ is
    # Transactions, not also Dashboard.
    open_urls = [url for _, url in shown if request.path == url or (url != "/" and request.path.startswith(url))]
    current = max(open_urls, key=len, default=None)
    return [{"label": label, "url": url, "active": url == current} for label, url in shown]


def organization(request: HttpRequest) -> dict[str, Any]:
    return {
        "organization": getattr(request, "organization", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "nav_items": _nav_items(request),
    }
