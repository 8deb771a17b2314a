"""Another organisation's objects are invisible: every URL that takes an object id answers 404."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views import View

from core import tenancy
from core.audit import record_event
from core.models import AuditEvent, Membership, Organization, Role
from invoices import services
from tests.factories import DELETED_OBJECT_ROUTES, ROUTE_OBJECT_FACTORIES, TENANT_OBJECT_FACTORIES, member
from tests.helpers import logged_in_client

# Third-party areas that are not organisation data: allauth's account pages take one-time
# keys, not object ids, and the admin is for platform staff.
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_PREFIXES = ("accounts/",)


@dataclass
class ObjectRoute:
    name: str
    route: str
    kwarg: str
    model: type[models.Model]
    view_class: type[View]


# Routes whose parameter names a kind of thing (a chart, an aging bucket), not one object: their
# scoping is tested with their app.
NOT_OBJECT_ROUTES = {
    "dashboards:chart_json",
    "dashboards:chart_details",
    "dashboards:chart_csv",
    "dashboards:aging_bucket",
    # A secret single-use token, not an id: tested in test_invitations.
    "invitation_accept",
    # Signed tokens, not ids: tested in tests/payments/test_public_page.py and
    # tests/messaging/test_pdf_links.py.
    "payments:public_invoice",
    "payments:public_invoice_pdf",
    "payments:checkout",
    "payments:public_return",
    "payments:paystack_webhook",
    "messaging:pdf_link",
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            yield route, f"{namespace}{pattern.name}", pattern


def object_routes() -> list[ObjectRoute]:
    routes = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or not pattern.pattern.converters or name in NOT_OBJECT_ROUTES:
            continue
        kwargs = list(pattern.pattern.converters)
        view_class = getattr(pattern.callback, "view_class", None)
        model = getattr(view_class, "model", None)
        assert view_class is not None and len(kwargs) == 1 and model is not None, (
            f"URL {route!r} ({name}) takes {kwargs}; views of one object must be class-based with a "
            "`model` so this test can prove they are scoped to the organisation."
        )
        routes.append(ObjectRoute(name, route, kwargs[0], model, view_class))
    return routes


def test_every_object_route_is_known():
    routes = object_routes()
    assert routes, "no object URLs found: the walk over the URL patterns is broken"
    missing = {route.model.__name__ for route in routes} - {m.__name__ for m in TENANT_OBJECT_FACTORIES}
    assert not missing, f"add a factory to TENANT_OBJECT_FACTORIES for {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", object_routes(), ids=lambda r: r.name)
def test_other_organizations_object_is_404(
    route: ObjectRoute, organization: Organization, other_organization: Organization
):
    user_a = member(organization, Role.OWNER)
    make = ROUTE_OBJECT_FACTORIES.get(route.name.split(":")[-1], TENANT_OBJECT_FACTORIES[route.model])
    if route.name.split(":")[-1] in DELETED_OBJECT_ROUTES:
        theirs = services.soft_delete(make(other_organization))
        ours = services.soft_delete(make(organization))
    else:
        theirs, ours = make(other_organization), make(organization)
    client = logged_in_client(user_a)

    methods = [m for m in ("get", "post") if hasattr(route.view_class, m)]
    theirs_url = reverse(route.name, kwargs={route.kwarg: theirs.pk})
    ours_url = reverse(route.name, kwargs={route.kwarg: ours.pk})
    assert methods
    for method in methods:
        assert getattr(client, method)(theirs_url, {"role": "viewer"}).status_code == 404, (method, theirs_url)
    # The same route with our own object answers, so the 404 above comes from the scoping.
    assert getattr(client, methods[0])(ours_url, {"role": "viewer"}).status_code in (200, 302)


@pytest.mark.django_db
def test_switching_to_an_organization_you_do_not_belong_to_is_404(
    owner_client: Client, other_organization: Organization
):
    response = owner_client.post(reverse("organization_switch"), {"organization": other_organization.pk})
    assert response.status_code == 404


@pytest.mark.django_db
def test_switching_between_own_organizations_changes_what_pages_show(
    owner_client: Client, owner, other_organization: Organization
):
    Membership.objects.create(user=owner, organization=other_organization, role=Role.VIEWER)
    assert b"Acme BV" in owner_client.get(reverse("home")).content

    response = owner_client.post(reverse("organization_switch"), {"organization": other_organization.pk})

    assert response.status_code == 302
    page = owner_client.get(reverse("home"))
    assert b"<h1>Rival NV</h1>" in page.content
    assert getattr(page.wsgi_request, "organization").pk == other_organization.pk  # noqa: B009
    assert getattr(page.wsgi_request, "membership").role == Role.VIEWER  # noqa: B009


@pytest.mark.django_db
def test_new_role_takes_effect_on_the_next_request(owner_client: Client, owner, organization: Organization):
    assert tenancy.memberships_for(owner.pk)[0].role == Role.OWNER
    membership = Membership.objects.get(user=owner)
    membership.role = Role.VIEWER
    membership.save()

    assert (
        owner_client.post(reverse("organization_members"), {"email": "x@example.com", "role": "viewer"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_audit_log_shows_only_this_organizations_events(
    owner_client: Client, organization: Organization, other_organization: Organization
):
    record_event("invoice.sent", organization=organization, after={"number": "INV-OURS"})
    record_event("invoice.sent", organization=other_organization, after={"number": "INV-THEIRS"})
    outsider = member(other_organization, Role.OWNER)
    record_event("auth.login", actor=outsider, target=outsider)

    page = owner_client.get(reverse("audit_log"), {"action": "invoice"}).content.decode()
    events = list(AuditEvent.objects.visible_to(organization))

    assert page.count("invoice.sent") == 1
    assert [e.after for e in events if e.action == "invoice.sent"] == [{"number": "INV-OURS"}]
    assert not [e for e in events if e.actor_id == outsider.pk]
