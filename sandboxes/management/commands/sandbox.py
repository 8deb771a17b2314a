"""Serve the built-in provider sandboxes on one local port, for development and demos:
Ponto under /ponto-connect (and /webhooks/keys, /_sandbox), Yuki under /yuki (/yuki/be/ws/…),
the e-invoice.be access point under /einvoice (/einvoice/api/…, /einvoice/_sandbox), Twilio (WhatsApp)
under /twilio, Cloudinary under /cloudinary, Mollie under /mollie and Paystack under /paystack (each
with its /_sandbox)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from sandboxes.cloudinary import CloudinarySandbox
from sandboxes.einvoice import EInvoiceSandbox
from sandboxes.einvoice import sample as einvoice_sample
from sandboxes.kit.routing import mount
from sandboxes.mollie import MollieSandbox
from sandboxes.paystack import PaystackSandbox
from sandboxes.ponto import PontoSandbox, serve
from sandboxes.ponto.demo import read_customer_payments
from sandboxes.twilio import WHATSAPP_FROM, TwilioSandbox
from sandboxes.yuki import YukiSandbox


class Command(BaseCommand):
    help = "Run the Ponto, Yuki and e-invoice.be sandboxes (simulated providers) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        default_port = urlsplit(settings.SANDBOX_URL).port or 8001
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--transactions", type=int, default=1500, help="bookings on the main account")
        parser.add_argument("--no-webhooks", action="store_true", help="do not push webhooks to this service")
        parser.add_argument(
            "--customer-payments",
            type=Path,
            help="a JSON file of customer payments to book on the main account (make run's demo payments)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Under make run, the demo organisation's clients pay its invoices into the main account.
        payments = options["customer_payments"]
        sandbox = PontoSandbox(
            transactions_per_account=options["transactions"],
            customer_payments=read_customer_payments(payments) if payments else (),
        )
        if not options["no_webhooks"]:
            sandbox.set_webhook(f"{settings.SITE_URL}/webhooks/ponto/", settings.PONTO_CLIENT_ID)
        yuki = YukiSandbox(bank_transactions=options["transactions"])
        einvoice = EInvoiceSandbox()
        if not options["no_webhooks"] and settings.EINVOICE_WEBHOOK_SECRET:
            # As an operator registers our webhook at the access point and keeps the secret it gives.
            einvoice.webhooks.create(
                f"{settings.SITE_URL}/webhooks/einvoice/",
                ("document.sent", "document.sent.failed", "document.received"),
                enabled=True,
                secret=settings.EINVOICE_WEBHOOK_SECRET,
            )
        # Two suppliers' bills wait in the inbox, so a new user sees an e-invoice come in; the
        # sandbox's ids repeat from run to run, so a restart delivers nothing twice.
        for name in ("invoice-21-6", "reverse-charge"):
            einvoice.receive(einvoice_sample(name), 1, None)
        server, base_url = serve(sandbox, port=options["port"])
        cloudinary = CloudinarySandbox()
        # The templates' PDF comes from this Cloudinary; on real time, messages move a step every 2 s.
        twilio = TwilioSandbox(media_url_prefix=f"{base_url}/cloudinary/v1_1/", step_seconds=2.0)
        mollie, paystack = MollieSandbox(), PaystackSandbox()
        # Links in what their control API answers point at this server.
        mollie.root, paystack.root = f"{base_url}/mollie", f"{base_url}/paystack"
        # Everything not under /yuki/, /einvoice/, /twilio/, /cloudinary/, /mollie/ or /paystack/ is Ponto's.
        server.set_app(
            mount(
                sandbox.wsgi_app,
                {
                    "/yuki/": yuki.wsgi_app,
                    "/einvoice/": einvoice.wsgi_app,
                    "/twilio/": twilio.wsgi_app,
                    "/cloudinary/": cloudinary.wsgi_app,
                    "/mollie/": mollie.wsgi_app,
                    "/paystack/": paystack.wsgi_app,
                },
            )
        )
        self.stdout.write(f"Ponto sandbox at {base_url}/ponto-connect (control API: {base_url}/_sandbox)")
        self.stdout.write(f"Yuki sandbox at {base_url}/yuki/be and /yuki/nl (key for Belgium: {yuki.access_key})")
        self.stdout.write(
            f"E-invoice sandbox at {base_url}/einvoice (API key: {einvoice.api_key}; "
            f"control API: {base_url}/einvoice/_sandbox)"
        )
        self.stdout.write(
            f"Twilio sandbox at {base_url}/twilio (account {twilio.account_sid}, auth token {twilio.auth_token}, "
            f"WhatsApp sender {WHATSAPP_FROM}; control API: {base_url}/twilio/_sandbox)"
        )
        self.stdout.write(
            f"Cloudinary sandbox at {base_url}/cloudinary (cloud {cloudinary.cloud_name}, API key "
            f"{cloudinary.api_key}, API secret {cloudinary.api_secret}; control API: {base_url}/cloudinary/_sandbox)"
        )
        self.stdout.write(
            f"Mollie sandbox at {base_url}/mollie (API key {mollie.api_key}, settlements with access token "
            f"{mollie.access_token}; control API: {base_url}/mollie/_sandbox)"
        )
        self.stdout.write(
            f"Paystack sandbox at {base_url}/paystack (secret key {paystack.secret_key}; set the webhook URL with "
            f"POST {base_url}/paystack/_sandbox/settings; control API: {base_url}/paystack/_sandbox)"
        )
        stop = threading.Event()
        # On real time, sends settle and their webhooks go out without waiting for the next request.
        threading.Thread(target=einvoice.tick_until, args=(stop,), name="einvoice-clock", daemon=True).start()
        threading.Thread(target=twilio.tick_until, args=(stop,), name="twilio-clock", daemon=True).start()
        # Open Mollie payments expire and failed webhooks are retried without waiting for a request.
        threading.Thread(target=mollie.tick_until, args=(stop,), name="mollie-clock", daemon=True).start()
        threading.Thread(target=paystack.tick_until, args=(stop,), name="paystack-clock", daemon=True).start()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
