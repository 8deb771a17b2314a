"""Routing: `/accounts/{account}` templates, the route for a request, and one port for several sandboxes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


class Route(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def pattern(self) -> re.Pattern[str]: ...


RouteT = TypeVar("RouteT", bound=Route)


class MethodNotAllowed(Exception):
    """The path is known, under other methods."""


def path_pattern(template: str) -> re.Pattern[str]:
    """`/accounts/{account}` matches `/accounts/abc` with `account="abc"`, and nothing longer."""
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def resolve(routes: Sequence[RouteT], method: str, path: str) -> tuple[RouteT, dict[str, str]] | None:
    """The route for a request and its path parameters; None for an unknown path."""
    known_path = False
    for route in routes:
        match = route.pattern.match(path)
        if match is None:
            continue
        if route.method == method:
            return route, match.groupdict()
        known_path = True
    if known_path:
        raise MethodNotAllowed
    return None


def mount(default: WSGIApplication, prefixes: Mapping[str, WSGIApplication]) -> WSGIApplication:
    """One WSGI application for several: a path under a prefix goes to its application, the rest to `default`."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        target = next((mounted for prefix, mounted in prefixes.items() if path.startswith(prefix)), default)
        return target(environ, start_response)

    return app
