"""An offline simulator of the Mollie API v2 in test mode (payments, refunds, settlements, the hosted
checkout, webhooks), driven through the official SDK (mollie-api-python) in tests; see
docs/reference/mollie.md for the vendor behaviour it follows.

    sandbox = MollieSandbox(seed=2026)
    server, base_url = serve(sandbox)
    client = mollie.api.client.Client()
    client.set_api_endpoint(base_url + PREFIX)      # the SDK appends /v2/…
    client.set_api_key(DEFAULT_API_KEY)
    ...
    server.shutdown()

Settlements are read with `DEFAULT_ACCESS_TOKEN` (`client.set_access_token(...)`), as Mollie
serves them to organization access tokens only. The hosted checkout is at
`<base_url>/mollie/checkout/<id>`; the sandbox's control API at `<base_url>/mollie/_sandbox/`.
"""

from __future__ import annotations

from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app
from sandboxes.mollie.mount import PREFIX
from sandboxes.mollie.settlements import Rate
from sandboxes.mollie.state import DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY, RETRY_SCHEDULE, MollieSandbox


def serve(sandbox: MollieSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="mollie-sandbox", host=host, port=port)
    sandbox.root = server.api_url
    return server, server.base_url


__all__ = [
    "DEFAULT_ACCESS_TOKEN",
    "DEFAULT_API_KEY",
    "PREFIX",
    "RETRY_SCHEDULE",
    "MollieSandbox",
    "Rate",
    "SandboxServer",
    "serve",
]
