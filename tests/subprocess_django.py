"""Run a snippet of Python in a fresh Django process with a chosen environment.

Settings are read once per process, so tests of production settings, or of a database that
cannot be reached, run in a process of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_INHERITED = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: os.environ[key] for key in _INHERITED if key in os.environ}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    environment.update(env)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(  # noqa: S603 - our own interpreter running our own snippet
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
