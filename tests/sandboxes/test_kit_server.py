"""The kit's server keeps a connection for the next request, as a provider's server would, and
never takes an unread body for a request or leaves a client waiting for a body's end."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pytest

from sandboxes.kit.server import SandboxServer, serve

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """`/stream` answers in two pieces (no length known up front); anything else with its path."""
    if environ["PATH_INFO"] == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"one ", b"two"])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()]  # the body is never read


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    running = serve(app)
    yield running
    running.shutdown()


def exchange(server: SandboxServer, *requests: bytes) -> bytes:
    """Send the requests on one connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as connection:
        connection.sendall(b"".join(requests))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def request(method: str, path: str, body: bytes = b"", *, close: bool = False) -> bytes:
    headers = f"{method} {path} HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {len(body)}\r\n"
    return (headers + ("Connection: close\r\n" if close else "") + "\r\n").encode() + body


def test_one_connection_serves_request_after_request(server: SandboxServer):
    answers = exchange(server, request("GET", "/first"), request("GET", "/second", close=True))

    assert answers.count(b"HTTP/1.1 200 OK") == 2
    assert answers.index(b"GET /first") < answers.index(b"GET /second")


def test_a_body_the_application_leaves_unread_is_not_taken_for_the_next_request(server: SandboxServer):
    smuggled = request("DELETE", "/everything")
    answers = exchange(server, request("POST", "/upload", smuggled), request("GET", "/after", close=True))

    assert b"POST /upload" in answers and b"GET /after" in answers
    assert b"DELETE" not in answers
    assert answers.count(b"HTTP/1.1 200 OK") == 2


def test_a_body_without_a_length_ends_with_the_connection_and_says_so(server: SandboxServer):
    answers = exchange(server, request("GET", "/stream"), request("GET", "/never"))

    assert b"Connection: close" in answers
    assert answers.endswith(b"one two")
    assert b"/never" not in answers


@pytest.mark.parametrize(
    "lengths", [["ten"], ["\u00b2"], ["-1"], ["0", "5"]], ids=["words", "superscript", "negative", "two lengths"]
)
def test_a_length_that_is_no_single_number_is_a_bad_request_and_ends_the_connection(
    server: SandboxServer, lengths: list[str]
):
    headers = "".join(f"Content-Length: {length}\r\n" for length in lengths)
    head = f"POST /upload HTTP/1.1\r\nHost: sandbox\r\n{headers}\r\n".encode()

    answers = exchange(server, head + b"hello", request("GET", "/smuggled"))

    assert answers.startswith(b"HTTP/1.1 400")
    assert b"/smuggled" not in answers and answers.count(b"HTTP/1.1") == 1


def test_a_head_answer_has_no_body_and_the_next_request_is_read_right(server: SandboxServer):
    answers = exchange(server, request("HEAD", "/first"), request("GET", "/second", close=True))

    first, second = answers.split(b"HTTP/1.1 200 OK")[1:]
    assert b"Content-Length: 11" in first and not first.endswith(b"HEAD /first")
    assert second.endswith(b"GET /second")
