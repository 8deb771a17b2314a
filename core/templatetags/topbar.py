"""`{% topbar %}`: the navigation, organisation switcher and user menu of every signed-in page.

They were a third of a page's rendering, yet change only with what they show: the user's
address, organisations and role, and the section open. So they are rendered once per process
for each combination of those (core.memory), and each request puts its own CSRF token into the
copy's two forms.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from core.memory import rendered

register = template.Library()

# Where each form's CSRF token goes in the cached copy: escaped text can never read as a comment.
CSRF_SLOT = "<!-- csrf token -->"


def shown(context: Context) -> dict[str, Any]:
    """Everything the top bar shows, from the context processors' values; plain data."""
    organization, membership = context.get("organization"), context.get("membership")
    return {
        "email": context["user"].email,
        "nav_items": context.get("nav_items", []),
        "memberships": [(m.organization_id, m.organization.name) for m in context.get("memberships") or []],
        "current_organization_id": organization.pk if organization else None,
        "role": membership.role if membership else None,
    }


@register.simple_tag(takes_context=True)
def topbar(context: Context) -> SafeString:
    values = shown(context)
    html = rendered("core/_topbar.html", values, lambda: {**values, "csrf_input": mark_safe(CSRF_SLOT)})  # noqa: S308
    # The {% csrf_token %} tag's own output: the page's one token (masked once a request).
    return mark_safe(html.replace(CSRF_SLOT, CsrfTokenNode().render(context)))  # noqa: S308  (ours and Django's)
