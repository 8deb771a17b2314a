"""A sandbox's WSGI application: a request in, an answer out, and every error answered in the
right words: a failed control call as `{"error": detail}`, an API call's error as the vendor
words it. A DropConnection goes up to the server, which closes the socket without answering."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Generic

from sandboxes.kit import routing
from sandboxes.kit.routing import RouteT, SandboxT
from sandboxes.kit.web import ControlError, DropConnection, Request, Response, json_response, send

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


class SandboxApp(ABC, Generic[SandboxT]):
    """`app(environ, start_response)`: a simulated API as one WSGI callable. A sandbox routes in
    `dispatch` and words its vendor's errors in `refusal` and `error_answer`."""

    def __init__(self, sandbox: SandboxT) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)

    def respond(self, request: Request) -> Response:
        try:
            return self.dispatch(request)
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)
        except DropConnection:
            raise
        except Exception as error:  # the sandbox says which errors its vendor answers, and how
            answer = self.error_answer(error)
            if answer is None:
                raise
            return answer

    @abstractmethod
    def dispatch(self, request: Request) -> Response: ...

    @abstractmethod
    def refusal(self, status: int, request: Request, path: str) -> Exception:
        """The vendor's error for an API path it does not know (404) or a method it does not take there (405)."""

    def error_answer(self, error: Exception) -> Response | None:
        """The vendor's answer to an error raised while handling a call; None lets it go up to the server."""
        return None

    def refused(self, status: int, request: Request, path: str) -> Exception:
        """The error for an unknown path (404) or method (405): the control API's own, or the vendor's."""
        if not routing.is_control(path):
            return self.refusal(status, request, path)
        if status == 405:
            return ControlError(405, f"{request.method} is not allowed on {path}")
        return ControlError(404, f"no control endpoint at {path}")

    def find(self, routes: Sequence[RouteT], request: Request, path: str) -> tuple[RouteT, dict[str, str]]:
        """The route for a request (its path without the mount) and its path parameters; `refused` otherwise."""
        try:
            found = routing.resolve(routes, request.method, path)
        except routing.MethodNotAllowed:
            raise self.refused(405, request, path) from None
        if found is None:
            raise self.refused(404, request, path)
        return found
