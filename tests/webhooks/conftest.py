"""A webhook receiver on 127.0.0.1 that answers as each test scripts it, and the settings that
let deliveries reach it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization, Role, User
from tests.factories import member
from tests.helpers import logged_in_client


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records each request; answers with the next scripted (status, headers), then 200."""

    url: str
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[ReceivedRequest] = field(default_factory=list)

    def answer(self, status: int, **headers: str) -> None:
        self.answers.append((status, headers))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.received.append(ReceivedRequest(self.path, headers, body))
            status, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        # A followed redirect would arrive as a GET.
        do_GET = do_POST

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _private_receivers_allowed(settings: SettingsWrapper) -> None:
    # The receivers of these tests listen on 127.0.0.1; the guard's own tests switch this off.
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def admin_member(organization: Organization) -> User:
    return member(organization, Role.ADMIN, email="admin@acme.example")


@pytest.fixture
def admin_member_client(admin_member: User) -> Client:
    return logged_in_client(admin_member)
