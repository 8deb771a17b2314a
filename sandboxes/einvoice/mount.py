"""Where the API lives: at the server's root and under `/einvoice`, so the sandbox can share a port
with the other sandboxes. A client's base URL is then `<server>/einvoice`, as it would be
`https://api.e-invoice.be`."""

from __future__ import annotations

from sandboxes.kit.web import Request

PREFIX = "/einvoice"


def _mounted(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def local_path(path: str) -> str:
    """The path without the `/einvoice` mount."""
    return (path[len(PREFIX) :] or "/") if _mounted(path) else path


def api_root(request: Request) -> str:
    """Where the API is served for this request: `http://host:port` or `http://host:port/einvoice`."""
    return request.origin + (PREFIX if _mounted(request.path) else "")
