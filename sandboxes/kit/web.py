"""The sandboxes' small HTTP layer over WSGI: requests, responses and the errors handlers raise."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from sandboxes.kit.exact_json import dumps, loads

JSON_API = "application/vnd.api+json"
JSON = "application/json"
MAX_BODY = 10 * 1024 * 1024


class DropConnection(Exception):
    """Raised by the application: the server must close the socket without answering."""


class ControlError(Exception):
    """A failed call to a sandbox's own control API: `{"error": detail}`."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class InvalidJson(ValueError):
    """The request body is not JSON."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    scheme: str
    host: str
    request_id: str = field(default_factory=lambda: secrets.token_hex(22).upper())

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> Request:
        headers = {
            key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = str(environ[key])
        try:
            length = min(int(headers.get("content-length", "0") or 0), MAX_BODY)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace") or "/"
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]  # the Ruby SDK leaves a slash where an id template was
        host = headers.get("host") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=path,
            query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
            headers=headers,
            body=body,
            scheme=str(environ.get("wsgi.url_scheme", "http")),
            host=host,
        )

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> dict[str, str]:
        """URL-encoded body fields, falling back to query parameters (OCA sends its grant there)."""
        fields = {name: values[0] for name, values in self.query.items()}
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        fields.update({name: values[0] for name, values in parsed.items()})
        return fields

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return loads(self.body)
        except ValueError as error:
            raise InvalidJson(f"The request body is not valid JSON: {error}") from error

    @property
    def content_type(self) -> str:
        return JSON_API if JSON_API in self.headers.get("accept", "") else JSON


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def json_response(
    document: object, status: int = 200, content_type: str = JSON, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    return Response(status, dumps(document).encode(), [("Content-Type", content_type), *headers])


def html_response(html: str, status: int = 200) -> Response:
    return Response(status, html.encode(), [("Content-Type", "text/html; charset=utf-8")])


def proxy_page(status: int, html: str) -> Response:
    """The error page of a proxy in front of the API: HTML, whatever the API itself speaks."""
    return Response(status, html.encode(), [("Content-Type", "text/html")])


def bearer_is(request: Request, secret: str) -> bool:
    """The request carries `Authorization: Bearer <secret>` (any case of the scheme), compared in constant time."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


def redirect(location: str) -> Response:
    return Response(302, b"", [("Location", location)])


def control_body(request: Request) -> dict[str, object]:
    """A control call's JSON object body; ControlError when it is not one."""
    try:
        body = request.json()
    except InvalidJson as error:
        raise ControlError(400, str(error)) from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def send(response: Response, start_response: Callable[..., object], *headers: tuple[str, str]) -> list[bytes]:
    """Hand `response` to the WSGI server, with `headers` and its Content-Length added."""
    start_response(response.status_line, [*response.headers, *headers, ("Content-Length", str(len(response.body)))])
    return [response.body]
