"""An offline simulator of Cloudinary's Upload API, private download links and Admin API resource
listing (reference: cloudinary.md), for tests and demos.

    sandbox = CloudinarySandbox()
    server, base_url = serve(sandbox)
    cloudinary.config(cloud_name=CLOUD_NAME, api_key=API_KEY, api_secret=API_SECRET,
                      upload_prefix=base_url + PREFIX)
    ...
    server.shutdown()

`sandbox.assets` is what is stored, `sandbox.downloads` every download link used, `sandbox.clock`
the time links expire by. The control API lives under `/cloudinary/_sandbox/`.
"""

from __future__ import annotations

from sandboxes.cloudinary.accounts import API_KEY, API_SECRET, CLOUD_NAME
from sandboxes.cloudinary.app import PREFIX
from sandboxes.cloudinary.assets import Asset, Download
from sandboxes.cloudinary.state import CloudinarySandbox
from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app


def serve(sandbox: CloudinarySandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="cloudinary-sandbox", host=host, port=port)
    return server, server.base_url


__all__ = [
    "API_KEY",
    "API_SECRET",
    "CLOUD_NAME",
    "PREFIX",
    "Asset",
    "CloudinarySandbox",
    "Download",
    "SandboxServer",
    "serve",
]
