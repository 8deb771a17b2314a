"""Where the API lives: at the server's root and under `/paystack`, so the sandbox can share a port
with the other sandboxes. A client's base URL is then `<server>/paystack`, where it would be
`https://api.paystack.co`."""

from __future__ import annotations

PREFIX = "/paystack"
