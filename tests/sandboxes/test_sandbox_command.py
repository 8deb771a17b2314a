"""`manage.py sandbox` serves both simulators on one port, as `make run` uses it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_one_port_serves_ponto_its_control_api_and_yuki():
    port = free_port()
    environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": "", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "sandbox", "--port", str(port), "--transactions", "50", "--no-webhooks"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert server.stdout is not None
        ponto_line, yuki_line = server.stdout.readline(), server.stdout.readline()
        base_url = f"http://127.0.0.1:{port}"
        assert ponto_line == f"Ponto sandbox at {base_url}/ponto-connect (control API: {base_url}/_sandbox)\n"
        assert yuki_line.startswith(f"Yuki sandbox at {base_url}/yuki/be and /yuki/nl (key for Belgium: ")

        with httpx.Client(base_url=base_url, timeout=10) as client:
            institutions = client.get("/ponto-connect/financial-institutions")
            control = client.get("/_sandbox")
            yuki_service = client.get("/yuki/be/ws/Accounting.asmx")
            yuki_control = client.get("/yuki/_sandbox")
        assert institutions.status_code == 200 and institutions.json()["data"]
        assert len(control.json()["accounts"]) == 3
        assert yuki_service.status_code == 200 and "<h1>Accounting</h1>" in yuki_service.text
        assert "GET /_sandbox/sessions" in yuki_control.json()["endpoints"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert server.returncode == 0
