"""`make run`'s last step: the development server, the job worker and the provider sandboxes,
stopped together and quietly by one Ctrl-C.

Each child runs in its own session, so the terminal's SIGINT reaches only this process. The
worker would otherwise get it in every one of its processes at once (django-q's handler then
re-enters itself), and a native runtime loaded by a worker (saxonche) would take the signal
over and crash. Here each child is asked to stop with SIGTERM, which all three handle, the
worker first so it can finish the task in hand.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from invoices.demo import bank_payment_records, demo_bank_payments

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run the development server, the worker and the sandboxes until Ctrl-C, then stop all three."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, sys.argv[0]]
        # The sandbox bank gets the payments the demo clients made (invoices.demo), as a file: the
        # simulators never import the service.
        payments = Path(tempfile.mkstemp(prefix="demo-payments-", suffix=".json")[1])
        payments.write_text(json.dumps(bank_payment_records(demo_bank_payments(timezone.localdate()))))
        commands = {
            "worker": [*manage, "qcluster"],
            "sandboxes": [*manage, "sandbox", "--customer-payments", str(payments)],
            "server": [*manage, "runserver", options["addrport"]],
        }
        children = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603  (our own manage.py)
            for name, command in commands.items()
        }
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                code = children[ended[0]].returncode
                self.stderr.write(f"The {ended[0]} stopped (exit code {code}); stopping the rest.")
                break
        self.stdout.write("Stopping the worker, the sandboxes and the server…")
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        payments.unlink(missing_ok=True)
        self.stdout.write("Stopped.")
