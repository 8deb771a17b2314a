"""A real socket for a sandbox: a threaded, quiet wsgiref server in a background thread.

A real socket is what timeouts and dropped connections need. `serve()` returns the server;
`server.base_url` is `http://127.0.0.1:<port>` and `server.api_url` the API's root under it.
Call `server.shutdown()` to stop it and free the port.
"""

from __future__ import annotations

import contextlib
import io
import socket
import socketserver
import sys
import threading
from typing import TYPE_CHECKING, Any, cast
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from sandboxes.kit.web import DropConnection

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


class _Handler(ServerHandler):
    """Answers in HTTP/1.1 (so a client may keep the connection, as it would with the provider);
    closes the socket without a byte when the application asks for a dropped connection."""

    http_version = "1.1"
    # Whether the response's end is known without closing (it has a length): set as it is sent.
    keeps_connection = False
    # BaseHandler sets these as it runs; typeshed leaves them out.
    headers: Headers
    environ: dict[str, Any]
    headers_sent: bool

    def __init__(self, request_handler: WSGIRequestHandler, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_handler = request_handler

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        self.keeps_connection = "Content-Length" in self.headers
        if not self.keeps_connection:
            self.headers["Connection"] = "close"  # the body ends with the connection: say so

    def write(self, data: bytes) -> None:
        if self.environ.get("REQUEST_METHOD") != "HEAD":
            super().write(data)
        elif not self.headers_sent:  # a HEAD answer has the headers of a GET and no body
            self.bytes_sent = len(data)
            self.send_headers()

    def handle_error(self) -> None:
        if self.headers_sent:  # part of an answer went out: only closing tells the client it ended
            self.request_handler.close_connection = True
        if isinstance(sys.exc_info()[1], DropConnection):
            self.request_handler.close_connection = True
            with contextlib.suppress(OSError):
                self.request_handler.connection.shutdown(socket.SHUT_RDWR)
            return
        super().handle_error()

    def log_exception(self, exc_info: Any) -> None:
        """Library code prints nothing."""


class _RequestHandler(WSGIRequestHandler):
    # Persistent connections: a client's next request reuses the connection (a new connection per
    # request cost a sync of 1,270 pages a handshake and a server thread each).
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a kept connection may idle before its thread lets it go

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        app = cast(WSGIServer, self.server).get_app()
        if app is None:
            return
        environ = self.get_environ()
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True  # the body's end is not known here: the connection ends with it
            body = self.rfile
        else:
            lengths = set(self.headers.get_all("Content-Length") or ["0"])
            length = lengths.pop() if len(lengths) == 1 else ""
            if not (length.isascii() and length.isdigit()):
                self.send_error(400, "Content-Length is not a length")
                self.close_connection = True
                return
            # Read whole, so what the application leaves unread cannot be taken for the next request.
            body = io.BytesIO(self.rfile.read(int(length)))
        handler = _Handler(self, body, self.wfile, self.get_stderr(), environ, multithread=True)
        handler.run(app)
        if not handler.keeps_connection:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no access log on stderr."""


class SandboxServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    base_url = ""
    api_url = ""
    thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name; a sandbox has no need to wait.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hang up on purpose in fault tests: nothing to report."""

    def shutdown(self) -> None:
        """Stop serving, close the listening socket and wait for the serving thread."""
        super().shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


def serve(
    app: WSGIApplication, *, api_path: str = "", name: str = "sandbox", host: str = "127.0.0.1", port: int = 0
) -> SandboxServer:
    """Start serving `app` in a daemon thread named `name`; port 0 picks a free port."""
    server = SandboxServer((host, port), _RequestHandler)
    server.set_app(app)
    server.base_url = f"http://{host}:{server.server_port}"
    server.api_url = f"{server.base_url}{api_path}"
    server.thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
    )
    server.thread.start()
    return server
