"""`manage.py sandbox` serves the e-invoice.be sandbox under /einvoice beside Ponto and Yuki."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sandboxes.einvoice import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_the_einvoice_sandbox_shares_the_port_under_einvoice():
    port = free_port()
    environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": "", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "sandbox", "--port", str(port), "--transactions", "50", "--no-webhooks"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(3)]
        base_url = f"http://127.0.0.1:{port}"
        assert lines[2] == (
            f"E-invoice sandbox at {base_url}/einvoice (API key: {DEFAULT_API_KEY}; "
            f"control API: {base_url}/einvoice/_sandbox)\n"
        )
        with httpx.Client(base_url=base_url, timeout=10) as client:
            me = client.get("/einvoice/api/me/", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"})
            refused = client.get("/einvoice/api/me/")
            control = client.get("/einvoice/_sandbox")
            ponto_control = client.get("/_sandbox")
        assert me.status_code == 200 and me.json()["peppol_ids"] == ["0208:0477472701"]
        assert refused.status_code == 401
        assert "POST /_sandbox/inbox" in control.json()["endpoints"]
        assert len(ponto_control.json()["accounts"]) == 3  # Ponto keeps the root
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert server.returncode == 0
