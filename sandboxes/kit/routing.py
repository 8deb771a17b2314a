"""Routing: `/accounts/{account}` templates, a sandbox's endpoints, the route for a request, and
one port for several sandboxes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from sandboxes.kit.web import Request, Response

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


class Route(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def pattern(self) -> re.Pattern[str]: ...


RouteT = TypeVar("RouteT", bound=Route)
SandboxT = TypeVar("SandboxT")
SandboxC = TypeVar("SandboxC", contravariant=True)
Handler = Callable[[SandboxT, Request, dict[str, str]], Response]

API, CONTROL = "api", "control"
CONTROL_PREFIX = "/_sandbox"


class MethodNotAllowed(Exception):
    """The path is known, under other methods."""


def path_pattern(template: str) -> re.Pattern[str]:
    """`/accounts/{account}` matches `/accounts/abc` with `account="abc"`, and nothing longer."""
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def is_control(path: str) -> bool:
    """A call to the sandbox's own control API (never faulted, refused in its own words)."""
    return path == CONTROL_PREFIX or path.startswith(f"{CONTROL_PREFIX}/")


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[SandboxT]):
    """A sandbox's route; its `kind` says what guards it (the vendor's credentials, none for control calls)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler[SandboxT]
    kind: str = API


def endpoint(method: str, template: str, handler: Handler[SandboxT], kind: str = API) -> Endpoint[SandboxT]:
    return Endpoint(method, path_pattern(template), handler, kind)


def control_endpoint(method: str, template: str, handler: Handler[SandboxT]) -> Endpoint[SandboxT]:
    """A route of the control API, under `/_sandbox`."""
    return endpoint(method, f"{CONTROL_PREFIX}{template}", handler, CONTROL)


class FaultAndClockControls(Protocol[SandboxC]):
    """A sandbox's control module: every sandbox's control API injects faults and moves its clock."""

    def list_faults(self, sandbox: SandboxC, request: Request, params: dict[str, str]) -> Response: ...

    def add_fault(self, sandbox: SandboxC, request: Request, params: dict[str, str]) -> Response: ...

    def clear_faults(self, sandbox: SandboxC, request: Request, params: dict[str, str]) -> Response: ...

    def clock(self, sandbox: SandboxC, request: Request, params: dict[str, str]) -> Response: ...


def fault_and_clock_endpoints(controls: FaultAndClockControls[SandboxT]) -> tuple[Endpoint[SandboxT], ...]:
    """`GET|POST|DELETE /_sandbox/faults` and `GET|POST /_sandbox/clock`, served by the control module."""
    return (
        control_endpoint("GET", "/faults", controls.list_faults),
        control_endpoint("POST", "/faults", controls.add_fault),
        control_endpoint("DELETE", "/faults", controls.clear_faults),
        control_endpoint("GET", "/clock", controls.clock),
        control_endpoint("POST", "/clock", controls.clock),
    )


def settings_endpoints(settings: Handler[SandboxT]) -> tuple[Endpoint[SandboxT], ...]:
    """`GET /_sandbox/settings` shows them, `POST` changes them: one handler answers both."""
    return control_endpoint("GET", "/settings", settings), control_endpoint("POST", "/settings", settings)


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


def is_mounted(path: str, prefix: str) -> bool:
    """The path is under a sandbox's mount (`/twilio` or `/twilio/…`, not `/twiliox`)."""
    return path == prefix or path.startswith(f"{prefix}/")


def unmounted(path: str, prefix: str) -> str:
    """The path without a sandbox's mount (`/twilio/v1/Content` → `/v1/Content`); any other as it is."""
    return (path[len(prefix) :] or "/") if is_mounted(path, prefix) else path


def mounted_root(request: Request, prefix: str) -> str:
    """Where the sandbox is served for this request: `http://host:port`, plus the mount when it came in under it."""
    return request.origin + (prefix if is_mounted(request.path, prefix) else "")


def mount(default: WSGIApplication, prefixes: Mapping[str, WSGIApplication]) -> WSGIApplication:
    """One WSGI application for several: a path under a prefix goes to its application, the rest to `default`."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        target = next((mounted for prefix, mounted in prefixes.items() if path.startswith(prefix)), default)
        return target(environ, start_response)

    return app
