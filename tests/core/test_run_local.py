"""`make run`'s supervisor: one Ctrl-C stops the server, the worker and the sandboxes, quietly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.subprocess_django import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_one_interrupt_stops_all_three_without_a_traceback(tmp_path: Path) -> None:
    port, sandbox_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SITE_URL=f"http://127.0.0.1:{port}",
        SANDBOX_URL=f"http://127.0.0.1:{sandbox_port}",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    supervisor = subprocess.Popen(  # noqa: S603  (our own manage.py)
        [*manage, "run_local", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.5)
        # Ctrl-C in a terminal: SIGINT to the foreground process group, here only the supervisor
        # (its children run in sessions of their own, which is the point).
        supervisor.send_signal(signal.SIGINT)
        output, _ = supervisor.communicate(timeout=40)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert supervisor.returncode == 0, output
    assert "Traceback" not in output
    assert "RecursionError" not in output
    assert output.rstrip().endswith("Stopped.")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health/", timeout=1)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{sandbox_port}/_sandbox/", timeout=1)
