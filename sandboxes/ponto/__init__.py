"""An offline simulator of the Ponto Connect API (reference: ponto-api.md), for tests and demos.

    sandbox = PontoSandbox(seed=2026)
    server, base_url = serve(sandbox)        # base_url + "/ponto-connect" is the API
    ...
    server.shutdown()

`sandbox.wsgi_app` is the WSGI application; the control API lives under `/_sandbox/`.
"""

from __future__ import annotations

from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app
from sandboxes.ponto.resources import PREFIX
from sandboxes.ponto.state import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    PontoSandbox,
)


def serve(sandbox: PontoSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="ponto-sandbox", host=host, port=port)
    return server, server.base_url


__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URIS",
    "PREFIX",
    "PontoSandbox",
    "SandboxServer",
    "serve",
]
