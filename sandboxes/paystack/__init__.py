"""An offline simulator of the Paystack API in test mode (transactions, the hosted checkout,
refunds, settlements, signed webhooks); see docs/reference/paystack.md for the vendor behaviour
it follows.

    sandbox = PaystackSandbox(webhook_url="http://127.0.0.1:8000/webhooks/paystack/")
    server, base_url = serve(sandbox)       # base_url + PREFIX is the API's base URL
    ...
    server.shutdown()

Secret key: `DEFAULT_SECRET_KEY` (`Authorization: Bearer …`); it also signs the webhooks
(`signature(body, secret)`). The checkout is at `<base_url>/paystack/checkout/<access_code>`;
the sandbox's control API at `<base_url>/paystack/_sandbox/`.
"""

from __future__ import annotations

from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app
from sandboxes.paystack.mount import PREFIX
from sandboxes.paystack.state import DEFAULT_SECRET_KEY, FeeRule, PaystackSandbox
from sandboxes.paystack.webhooks import RETRY_SCHEDULE, signature


def serve(sandbox: PaystackSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="paystack-sandbox", host=host, port=port)
    sandbox.root = server.api_url
    return server, server.base_url


__all__ = [
    "DEFAULT_SECRET_KEY",
    "PREFIX",
    "RETRY_SCHEDULE",
    "FeeRule",
    "PaystackSandbox",
    "SandboxServer",
    "serve",
    "signature",
]
