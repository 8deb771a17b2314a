"""An offline simulator of the e-invoice.be Peppol access point API (reference: peppol.md §3, §4),
for tests and demos.

    sandbox = EInvoiceSandbox(seed=2026)
    server, base_url = serve(sandbox)       # base_url + "/einvoice" is the API's base URL
    ...
    server.shutdown()

API key: `DEFAULT_API_KEY` (`Authorization: Bearer …`). `sandbox.wsgi_app` is the WSGI
application; it serves everything at the root too, and its control API lives under
`/einvoice/_sandbox/`. The tenant is Smart Invoice Demo BV (`0208:0477472701`); the participant
registry and the built-in UBL samples are in `seeding.py` and `ubl_samples/`.
"""

from __future__ import annotations

from sandboxes.einvoice.mount import PREFIX
from sandboxes.einvoice.samples import INCOMING, SALES_INVOICE, sample
from sandboxes.einvoice.seeding import TENANT_PEPPOL_ID
from sandboxes.einvoice.state import DEFAULT_API_KEY, EInvoiceSandbox
from sandboxes.einvoice.validation import Issue, Validator, default_validator
from sandboxes.einvoice.webhooks import signature
from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app


def serve(sandbox: EInvoiceSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="einvoice-sandbox", host=host, port=port)
    return server, server.base_url


__all__ = [
    "DEFAULT_API_KEY",
    "INCOMING",
    "PREFIX",
    "SALES_INVOICE",
    "TENANT_PEPPOL_ID",
    "EInvoiceSandbox",
    "Issue",
    "SandboxServer",
    "Validator",
    "default_validator",
    "sample",
    "serve",
    "signature",
]
