"""Where the API lives: at the server's root and under `/paystack`, so the sandbox can share a port
with the other sandboxes. A client's base URL is then `<server>/paystack`, where it would be
`https://api.paystack.co`."""

from __future__ import annotations

from sandboxes.kit.web import Request

PREFIX = "/paystack"


def _mounted(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def local_path(path: str) -> str:
    """The path without the `/paystack` mount."""
    return (path[len(PREFIX) :] or "/") if _mounted(path) else path


def api_root(request: Request) -> str:
    """`http://host:port` or `http://host:port/paystack`, as this request came in."""
    return request.origin + (PREFIX if _mounted(request.path) else "")
