"""Where the API lives: at the server's root and under `/mollie`, so the sandbox can share a port
with the other sandboxes. The SDK's endpoint is then `<server>/mollie` (it appends `/v2/…`)."""

from __future__ import annotations

PREFIX = "/mollie"
