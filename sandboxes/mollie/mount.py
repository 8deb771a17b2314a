"""Where the API lives: at the server's root and under `/mollie`, so the sandbox can share a port
with the other sandboxes. The SDK's endpoint is then `<server>/mollie` (it appends `/v2/…`)."""

from __future__ import annotations

from sandboxes.kit.web import Request

PREFIX = "/mollie"


def _mounted(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def local_path(path: str) -> str:
    """The path without the `/mollie` mount."""
    return (path[len(PREFIX) :] or "/") if _mounted(path) else path


def api_root(request: Request) -> str:
    """`http://host:port` or `http://host:port/mollie`, as this request came in."""
    return request.origin + (PREFIX if _mounted(request.path) else "")
