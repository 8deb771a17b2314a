"""An offline simulator of the Yuki SOAP web services (reference: yuki-api.md), for tests and demos.

    sandbox = YukiSandbox(seed=2026)
    server, base_url = serve(sandbox)
    # Belgian host: base_url + "/be/ws/Accounting.asmx"; Dutch host: base_url + "/nl/ws/…"
    # (also under base_url + "/yuki/be/…" and "/yuki/nl/…", the connector's DEBUG default)
    ...
    server.shutdown()

Keys: `sandbox-yuki-key-be` (the Belgian domain: both its administrations),
`sandbox-yuki-key-be-admin` (only the main administration) and `sandbox-yuki-key-nl` (the Dutch
domain, on the `/nl/` host only). `sandbox.wsgi_app` is the WSGI application; the control API
lives under `/_sandbox/`. The main administration's bank lines are the Ponto sandbox's demo
transactions for the same seed and day.
"""

from __future__ import annotations

from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app
from sandboxes.yuki.seeding import REGIONS, access_key, administration_key
from sandboxes.yuki.soap import SOAP11, SOAP12, YUKI
from sandboxes.yuki.state import YukiSandbox

BE_ACCESS_KEY = access_key("BE")
NL_ACCESS_KEY = access_key("NL")


def serve(sandbox: YukiSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL.

    `server.api_url` is the main region's root: the Belgian services are under
    `{base_url}/be/ws/{Service}.asmx`, the Dutch ones under `{base_url}/nl/ws/…`.
    """
    api_path = f"/{sandbox.region.lower()}"
    server = serve_app(sandbox.wsgi_app, api_path=api_path, name="yuki-sandbox", host=host, port=port)
    return server, server.base_url


__all__ = [
    "BE_ACCESS_KEY",
    "NL_ACCESS_KEY",
    "REGIONS",
    "SOAP11",
    "SOAP12",
    "YUKI",
    "SandboxServer",
    "YukiSandbox",
    "access_key",
    "administration_key",
    "serve",
]
