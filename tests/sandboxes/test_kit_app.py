"""The kit's application shell: a sandbox's routes under its mount, control calls refused in the
control API's words and API calls in the vendor's, errors the vendor answers and those it does not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandboxes.kit.app import SandboxApp
from sandboxes.kit.routing import API, CONTROL, control_endpoint, endpoint, is_control, unmounted
from sandboxes.kit.server import SandboxServer, serve
from sandboxes.kit.web import DropConnection, Request, Response, json_response

PREFIX = "/vendor"


class VendorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _greet(sandbox: list[str], request: Request, params: dict[str, str]) -> Response:
    sandbox.append(params["name"])
    return json_response({"hello": params["name"]})


def _refuse(sandbox: list[str], request: Request, params: dict[str, str]) -> Response:
    raise VendorError(422, "no")


def _crash(sandbox: list[str], request: Request, params: dict[str, str]) -> Response:
    raise RuntimeError("a bug in the sandbox")


def _hang_up(sandbox: list[str], request: Request, params: dict[str, str]) -> Response:
    raise DropConnection


def _seen(sandbox: list[str], request: Request, params: dict[str, str]) -> Response:
    return json_response({"seen": sandbox})


ROUTES = (
    endpoint("GET", "/greet/{name}", _greet),
    endpoint("POST", "/refuse", _refuse),
    endpoint("POST", "/crash", _crash),
    endpoint("POST", "/hang-up", _hang_up),
    control_endpoint("GET", "/seen", _seen),
)


class VendorApp(SandboxApp[list[str]]):
    def refusal(self, status: int, request: Request, path: str) -> Exception:
        return VendorError(status, f"vendor {status} for {request.method} {path}")

    def error_answer(self, error: Exception) -> Response | None:
        if isinstance(error, VendorError):
            return json_response({"message": error.message}, error.status)
        return None  # the server's own 500

    def dispatch(self, request: Request) -> Response:
        route, params = self.find(ROUTES, request, unmounted(request.path, PREFIX))
        return route.handler(self.sandbox, request, params)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    server: SandboxServer = serve(VendorApp([]))
    with httpx.Client(base_url=f"{server.base_url}{PREFIX}", timeout=5) as http:
        yield http
    server.shutdown()


def test_routes_are_found_under_the_mount_with_their_parameters_and_kind(client: httpx.Client):
    assert client.get("/greet/ada").json() == {"hello": "ada"}
    assert client.get("/_sandbox/seen").json() == {"seen": ["ada"]}
    assert [route.kind for route in ROUTES] == [API, API, API, API, CONTROL]


def test_an_unknown_api_path_or_method_is_refused_in_the_vendors_words(client: httpx.Client):
    missing, wrong_method = client.get("/nowhere"), client.delete("/greet/ada")
    assert (missing.status_code, missing.json()) == (404, {"message": "vendor 404 for GET /nowhere"})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"message": "vendor 405 for DELETE /greet/ada"})


def test_an_unknown_control_path_or_method_is_refused_in_the_control_apis_words(client: httpx.Client):
    missing, wrong_method = client.get("/_sandbox/nowhere"), client.post("/_sandbox/seen")
    assert (missing.status_code, missing.json()) == (404, {"error": "no control endpoint at /_sandbox/nowhere"})
    assert (wrong_method.status_code, wrong_method.json()) == (405, {"error": "POST is not allowed on /_sandbox/seen"})


def test_the_vendor_answers_its_errors_and_the_rest_is_the_servers_500(client: httpx.Client):
    refused, crashed = client.post("/refuse"), client.post("/crash")
    assert (refused.status_code, refused.json()) == (422, {"message": "no"})
    assert crashed.status_code == 500 and "message" not in crashed.text


def test_a_dropped_connection_gets_no_answer(client: httpx.Client):
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/hang-up")


@pytest.mark.parametrize(
    ("path", "control"), [("/_sandbox", True), ("/_sandbox/faults", True), ("/_sandboxes", False), ("/v2", False)]
)
def test_a_control_call_is_one_under_the_control_prefix(path: str, control: bool):
    assert is_control(path) is control


@pytest.mark.parametrize(
    ("path", "local"),
    [("/vendor", "/"), ("/vendor/v1/Content", "/v1/Content"), ("/vendors/x", "/vendors/x"), ("/v1", "/v1")],
)
def test_the_mount_is_taken_off_a_path_under_it_only(path: str, local: str):
    assert unmounted(path, PREFIX) == local
