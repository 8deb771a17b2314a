"""An offline simulator of Twilio's Programmable Messaging for WhatsApp (reference: twilio.md), for
tests and demos.

    sandbox = TwilioSandbox(media_url_prefix=f"{cloudinary_url}/cloudinary/v1_1/")
    server, base_url = serve(sandbox)        # base_url + "/twilio" stands for https://api.twilio.com
    client = Client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = client.content.base_url = base_url + PREFIX
    ...
    server.shutdown()

The account is `ACCOUNT_SID` / `AUTH_TOKEN`, its WhatsApp sender `WHATSAPP_FROM`, its approved
templates `CONTENT_SIDS`. `sandbox.wsgi_app` is the WSGI application; its control API lives under
`/twilio/_sandbox/`.
"""

from __future__ import annotations

from sandboxes.kit.server import SandboxServer
from sandboxes.kit.server import serve as serve_app
from sandboxes.twilio.accounts import ACCOUNT_SID, AUTH_TOKEN, MESSAGING_SERVICE_SID, WHATSAPP_FROM
from sandboxes.twilio.app import PREFIX
from sandboxes.twilio.callbacks import CallbackDelivery, signature
from sandboxes.twilio.messages import MediaFetch, Message
from sandboxes.twilio.state import TwilioSandbox
from sandboxes.twilio.templates import CONTENT_SIDS, MEDIA_VARIABLE


def serve(sandbox: TwilioSandbox, host: str = "127.0.0.1", port: int = 0) -> tuple[SandboxServer, str]:
    """Serve `sandbox` on a real socket (port 0 picks a free one); the server and its base URL."""
    server = serve_app(sandbox.wsgi_app, api_path=PREFIX, name="twilio-sandbox", host=host, port=port)
    return server, server.base_url


__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "CONTENT_SIDS",
    "MEDIA_VARIABLE",
    "MESSAGING_SERVICE_SID",
    "PREFIX",
    "WHATSAPP_FROM",
    "CallbackDelivery",
    "MediaFetch",
    "Message",
    "SandboxServer",
    "TwilioSandbox",
    "serve",
    "signature",
]
