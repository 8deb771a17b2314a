"""The simulated Twilio account: its credentials, its WhatsApp sender and its Messaging Service.

Fixed values, so a developer's `.env` and the tests name the same account every run.
"""

from __future__ import annotations

ACCOUNT_SID = "AC5a1d0b0c5e7f4a3b9c8d7e6f5a4b3c2d"
AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # noqa: S105 - the sandbox's, published on purpose
# The business's approved WhatsApp sender (a Belgian mobile number).
WHATSAPP_FROM = "whatsapp:+32460200000"
MESSAGING_SERVICE_SID = "MG0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
# The sender's WhatsApp channel install, named in WhatsApp status callbacks.
CHANNEL_INSTALL_SID = "XE3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c"
API_VERSION = "2010-04-01"
