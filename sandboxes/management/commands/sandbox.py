"""Serve the built-in provider sandboxes on one local port, for development and demos:
Ponto under /ponto-connect (and /webhooks/keys, /_sandbox), Yuki under /yuki (/yuki/be/ws/…)."""

from __future__ import annotations

import signal
import threading
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandboxes.kit.routing import mount
from sandboxes.ponto import PontoSandbox, serve
from sandboxes.yuki import YukiSandbox


class Command(BaseCommand):
    help = "Run the Ponto and Yuki sandboxes (simulated providers) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        default_port = urlsplit(settings.SANDBOX_URL).port or 8001
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--transactions", type=int, default=1500, help="bookings on the main account")
        parser.add_argument("--no-webhooks", action="store_true", help="do not push webhooks to this service")

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = PontoSandbox(transactions_per_account=options["transactions"])
        if not options["no_webhooks"]:
            sandbox.set_webhook(f"{settings.SITE_URL}/webhooks/ponto/", settings.PONTO_CLIENT_ID)
        yuki = YukiSandbox(bank_transactions=options["transactions"])
        server, base_url = serve(sandbox, port=options["port"])
        server.set_app(mount(sandbox.wsgi_app, {"/yuki/": yuki.wsgi_app}))  # everything else is Ponto's
        self.stdout.write(f"Ponto sandbox at {base_url}/ponto-connect (control API: {base_url}/_sandbox)")
        self.stdout.write(f"Yuki sandbox at {base_url}/yuki/be and /yuki/nl (key for Belgium: {yuki.access_key})")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
