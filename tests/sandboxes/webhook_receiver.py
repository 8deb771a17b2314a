"""A merchant's webhook endpoint on 127.0.0.1 for the payment sandboxes' tests: it records each
delivery and answers with the statuses a test scripts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # statuses to give in turn; 200 once they run out
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # lower-case headers, body

    @property
    def bodies(self) -> list[bytes]:
        return [body for _, body in self.deliveries]


@contextmanager
def receiving(path: str) -> Iterator[Receiver]:
    """A receiver listening at `path` until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(script.answers.pop(0) if script.answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    script = Receiver(f"http://127.0.0.1:{server.server_port}{path}")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()
