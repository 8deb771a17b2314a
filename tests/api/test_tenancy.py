"""A key of one organisation gets 404 on every object of another, whatever the method: every
route of the API with an object in its path is walked (a new one without a factory here fails)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Model
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from api.urls import router
from core.models import Organization
from tests import factories
from tests.factories import make_client

pytestmark = pytest.mark.django_db

# Route basename → a factory of one object of the organisation it is given.
API_OBJECT_FACTORIES: dict[str, Callable[[Organization], Model]] = {
    "client": make_client,
    "bank-account": factories.make_bank_account,
    "transaction": factories.make_transaction,
    "bill": factories.make_bill,
    "match": factories.make_match,
    "connection": factories.make_connection,
    "invoice": factories.make_invoice,
    "payment": factories.make_payment,
    "credit-note": factories.make_credit_note,
    "delivery-note": factories.make_challan,
}


def _object_routes() -> list[URLPattern]:
    return [
        pattern
        for pattern in router.urls
        if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.regex.groupindex and pattern.name
    ]


def _basename(pattern: URLPattern) -> str:
    return next(basename for _, _, basename in router.registry if str(pattern.name).startswith(f"{basename}-"))


def test_every_object_route_has_a_factory() -> None:
    missing = {_basename(pattern) for pattern in _object_routes()} - set(API_OBJECT_FACTORIES)
    assert not missing, f"add these basenames to API_OBJECT_FACTORIES: {sorted(missing)}"


@pytest.mark.parametrize("pattern", _object_routes(), ids=lambda p: str(p.name))
def test_another_organisations_object_is_404(
    pattern: URLPattern, api: APIClient, other_organization: Organization
) -> None:
    theirs = API_OBJECT_FACTORIES[_basename(pattern)](other_organization)
    url = reverse(f"api:{pattern.name}", kwargs={"pk": theirs.pk})
    actions = list(getattr(pattern.callback, "actions", {}))
    assert actions, pattern
    for method in actions:
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url, response.content[:200])
        # DRF adds HEAD to a viewset's actions once it has answered a GET: its answer has no body.
        assert method == "head" or response.json()["error"]["code"] == "not_found"
