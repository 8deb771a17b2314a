"""An offline simulator of the Ponto Connect API (reference: ponto-api.md), for tests and demos.

    sandbox = PontoSandbox(seed=2026)
    server, base_url = serve(sandbox)        # base_url + "/ponto-connect" is the API
    ...
    server.shutdown()

`sandbox.wsgi_app` is the WSGI application; the control API lives under `/_sandbox/`.
"""

from __future__ import annotations

from integrations.ponto.sandbox.resources import PREFIX
from integrations.ponto.sandbox.server import SandboxServer, serve
from integrations.ponto.sandbox.state import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    PontoSandbox,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URIS",
    "PREFIX",
    "PontoSandbox",
    "SandboxServer",
    "serve",
]
