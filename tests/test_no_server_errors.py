"""Sweep: every page of the project, signed in as an owner, answers hostile query parameters and
form fields with a page, a redirect or a 4xx, never a server error.

The routes come from the URL resolver, so a new page is swept without being listed here. Path
arguments are real objects of the signed-in user's organisation (the factories the tenancy test
uses). A page's form fields are read from the HTML that posts to it: its own page or the pages
above it (the invoice page holds the cancel form). Each example runs in a savepoint that is
rolled back, so a delete in one example does not turn the next into a 404.

Bounded for CI: a few examples per route, derandomised (the same examples every run) unless
HYPOTHESIS_SWEEP_RANDOM=1 asks for new ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from dashboards.charts import CHARTS
from dashboards.figures.receivables import BUCKETS
from invoices import services
from sandboxes.ponto import PontoSandbox
from sandboxes.ponto import serve as serve_ponto
from sandboxes.yuki import YukiSandbox
from sandboxes.yuki import serve as serve_yuki
from tests.factories import DELETED_OBJECT_ROUTES, ROUTE_OBJECT_FACTORIES, TENANT_OBJECT_FACTORIES

# Third-party areas: allauth's account pages and the platform staff's admin; and the public API,
# which schemathesis sweeps from its own schema (tests/api/test_schemathesis.py).
EXCLUDED_PREFIXES = ("accounts/", "admin/", "api/v1/")
# Path arguments that name a kind of thing rather than an object.
KIND_ARGUMENTS: dict[str, Callable[[], str]] = {
    "name": lambda: sorted(CHARTS)[0],
    "bucket": lambda: BUCKETS[-1].key,
}
# Query parameters the pages read; the names of each page's own GET form fields are added.
QUERY_NAMES = [
    "q",
    "page",
    "date_from",
    "date_to",
    "from",
    "start",
    "end",
    "period",
    "currency",
    "group",
    "account",
    "client",
    "status",
    "sort",
    "overdue",
    "action",
    "actor",
    "state",
    "code",
    "error",
    "next",
]
# Fields of POST-only actions whose form is not on a page the walk reads.
EXTRA_POST_NAMES = ["organization", "role", "reason", "minutes", "invoice", "accounts", "next", "email"]

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "abc",
    "-1",
    "0",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "9" * 40,
    "0." + "1" * 40,
    "12,50",
    "1.2.3",
    "\u0663\u0664",
    "2147483648",
    "-9223372036854775809",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "31/12/2026",
    "x" * 5000,
    "<script>",
    "%",
    "_",
    "../",
    "on",
    "[]",
    "\u202e",
    "\r\nX-Injected: 1",
]
# One of each kind: a NUL (PostgreSQL refuses it), a lone surrogate (invalid UTF-8 on the wire),
# no number, a number beyond any column, a date beyond the calendar's date maths, empty, very long.
KINDS_OF_BAD = ["a\x00b", "x\udfffy", "abc", "9" * 40, "1e999", "9999-12-31", "", "x" * 5000]
# In each field in turn, the kinds a field's own parsing meets (the rest are covered all at once).
FIELD_KINDS_OF_BAD = ["a\x00b", "abc", "9" * 40, "9999-12-31"]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)
SWEEP = settings(
    max_examples=4,
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_SWEEP_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...]
    model: Any

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            model = getattr(view_class, "model", None)
            yield Route(f"{namespace}{pattern.name}", route, tuple(pattern.pattern.converters), model)


ROUTES = list(_walk(get_resolver().url_patterns))


def test_every_route_can_be_swept():
    assert len(ROUTES) > 40, "the walk over the URL patterns is broken"
    for route in ROUTES:
        unknown = [arg for arg in route.arguments if arg not in KIND_ARGUMENTS and arg not in ("pk", "token")]
        assert not unknown, f"{route.name} takes {unknown}: teach the sweep how to fill them"
        if "pk" in route.arguments:
            assert route.model in TENANT_OBJECT_FACTORIES, f"{route.name}: no factory for {route.model}"


def path_arguments(route: Route, organization: Organization) -> dict[str, Any]:
    kwargs: dict[str, Any] = {arg: KIND_ARGUMENTS[arg]() for arg in route.arguments if arg in KIND_ARGUMENTS}
    if "token" in route.arguments:
        kwargs["token"] = "no-such-token"  # a one-time key nobody was sent
    if "pk" in route.arguments:
        short = route.name.split(":")[-1]
        make = ROUTE_OBJECT_FACTORIES.get(short, TENANT_OBJECT_FACTORIES.get(route.model))
        if make is None:
            pytest.fail(f"{route.name}: add a factory for {route.model} to TENANT_OBJECT_FACTORIES")
        made = make(organization)
        if short in DELETED_OBJECT_ROUTES:
            made = services.soft_delete(made)
        kwargs["pk"] = made.pk
    return kwargs


class _Forms(HTMLParser):
    """The forms of a page: method, action and the fields with their default values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                {"method": attr.get("method", "get").lower(), "action": attr.get("action", ""), "fields": {}}
            )
            return
        if not self.forms or not attr.get("name"):
            return
        fields: dict[str, str] = self.forms[-1]["fields"]
        name = attr["name"]
        if tag == "input" and attr.get("type", "text") in ("checkbox", "radio"):
            if "checked" in attr:
                fields[name] = attr.get("value", "on")
            fields.setdefault(name, "")
        elif tag == "input":
            fields[name] = attr.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in attr or not self.forms[-1]["fields"].get(self._select):
                fields[self._select] = attr.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_posting_to(client: HttpClient, route: Route, url: str) -> tuple[dict[str, str], list[str]]:
    """The default fields of the form that posts to `route` (read from its own page and the pages
    above it), and the names of the route page's own GET form fields."""
    post_fields: dict[str, str] = {}
    get_names: list[str] = []
    parts = url.rstrip("/").split("/")
    for host in [url, *("/".join(parts[:end]) + "/" for end in range(len(parts) - 1, 0, -1))]:
        response = client.get(host)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urlsplit(form["action"] or host).path
            try:
                view_name = resolve(action).view_name
            except Resolver404:
                continue
            if view_name != route.name:
                continue
            if form["method"] == "post":
                post_fields = {**form["fields"], **post_fields}
            elif host == url:
                get_names.extend(form["fields"])
        if post_fields:
            break
    post_fields.pop("csrfmiddlewaretoken", None)
    return post_fields, get_names


def encoded(data: dict[str, str]) -> str:
    """Form encoding that keeps lone surrogates as the invalid UTF-8 bytes a client can send."""
    return "&".join(
        f"{quote(name.encode('utf-8', 'surrogatepass'))}={quote(value.encode('utf-8', 'surrogatepass'))}"
        for name, value in data.items()
    )


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[tuple[str, str]]:
    ponto_server, ponto_url = serve_ponto(PontoSandbox(transactions_per_account=5))
    yuki_server, yuki_url = serve_yuki(YukiSandbox(seed=2026))
    try:
        yield ponto_url, yuki_url
    finally:
        ponto_server.shutdown()
        yuki_server.shutdown()


@pytest.fixture
def providers(settings: SettingsWrapper, sandboxes: tuple[str, str]) -> None:
    ponto_url, yuki_url = sandboxes
    settings.PONTO_API_URL = f"{ponto_url}/ponto-connect"
    settings.PONTO_AUTH_URL = f"{ponto_url}/ponto-connect/oauth2/auth"
    settings.PONTO_TOKEN_URL = f"{ponto_url}/ponto-connect/oauth2/token"
    settings.PONTO_REVOKE_URL = f"{ponto_url}/ponto-connect/oauth2/revoke"
    settings.PONTO_WEBHOOK_KEYS_URL = f"{ponto_url}/webhooks/keys"
    settings.PONTO_CLIENT_ID, settings.PONTO_CLIENT_SECRET = "sandbox-client", "sandbox-secret"
    settings.YUKI_API_URLS = {"BE": f"{yuki_url}/be", "NL": f"{yuki_url}/nl"}
    settings.PONTO_TIMEOUT_SECONDS = settings.YUKI_TIMEOUT_SECONDS = 2.0
    settings.PROVIDER_RETRY_BASE_DELAY = 0.01


def assert_no_server_error(client: HttpClient, method: str, url: str, data: dict[str, str]) -> None:
    body = encoded(data)
    with transaction.atomic():
        if method == "get":
            response = client.get(f"{url}?{body}")
        else:
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    assert response.status_code < 500, (method, url, data)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_page_answers_hostile_input_with_a_server_error(
    route: Route, owner_client: HttpClient, organization: Organization, providers: None
):
    url = reverse(route.name, kwargs=path_arguments(route, organization))
    post_fields, get_names = forms_posting_to(owner_client, route, url)
    query_names = sorted({*QUERY_NAMES, *get_names})
    post_names = sorted({*post_fields, *EXTRA_POST_NAMES})

    # Every kind of bad value in every query parameter at once, and in each field of the page's
    # form in turn (the others valid, so the form gets as far as that field).
    for value in KINDS_OF_BAD:
        assert_no_server_error(owner_client, "get", url, dict.fromkeys(query_names, value))
        assert_no_server_error(owner_client, "post", url, dict.fromkeys(post_names, value))
    for value in FIELD_KINDS_OF_BAD:
        for name in post_fields:
            assert_no_server_error(owner_client, "post", url, {**post_fields, name: value})

    # Then mixtures of them.
    @SWEEP
    @given(
        query=st.dictionaries(st.sampled_from(query_names), values, max_size=4),
        fuzzed=st.dictionaries(st.sampled_from(post_names), values, min_size=1, max_size=3),
        keep_defaults=st.booleans(),
    )
    def sweep(query: dict[str, str], fuzzed: dict[str, str], keep_defaults: bool) -> None:
        assert_no_server_error(owner_client, "get", url, query)
        assert_no_server_error(owner_client, "post", url, {**(post_fields if keep_defaults else {}), **fuzzed})

    sweep()
