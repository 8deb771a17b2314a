"""Where the API lives: at the server's root and under `/einvoice`, so the sandbox can share a port
with the other sandboxes. A client's base URL is then `<server>/einvoice`, as it would be
`https://api.e-invoice.be`."""

from __future__ import annotations

PREFIX = "/einvoice"
