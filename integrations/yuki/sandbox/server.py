"""A real socket for the sandbox, on the Ponto sandbox's threaded, quiet `SandboxServer`.

`serve()` returns the server and its base URL (`http://127.0.0.1:<port>`); the Belgian services
are under `{base_url}/be/ws/{Service}.asmx`, the Dutch ones under `{base_url}/nl/ws/…` (and both
under `{base_url}/yuki/…` too). `server.api_url` is the main region's root. Call
`server.shutdown()` to stop it and free the port.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler

from integrations.ponto.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from integrations.yuki.sandbox.state import YukiSandbox


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""


def serve(sandbox: YukiSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Start serving `sandbox` in a daemon thread; port 0 picks a free port."""
    server = SandboxServer((host, port), _QuietHandler)
    server.set_app(sandbox.wsgi_app)
    server.base_url = f"http://{host}:{server.server_port}"
    server.api_url = f"{server.base_url}/{sandbox.region.lower()}"
    server.thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="yuki-sandbox", daemon=True
    )
    server.thread.start()
    return server, server.base_url
