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

from integrations.ponto.sandbox.server import SandboxServer
from integrations.yuki.sandbox.seeding import REGIONS, access_key, administration_key
from integrations.yuki.sandbox.server import serve
from integrations.yuki.sandbox.soap import SOAP11, SOAP12, YUKI
from integrations.yuki.sandbox.state import YukiSandbox

BE_ACCESS_KEY = access_key("BE")
NL_ACCESS_KEY = access_key("NL")

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
