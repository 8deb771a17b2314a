"""The WSGI entry point gunicorn loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import config.wsgi
print(json.dumps({"views": "dashboards.views.charts" in sys.modules, "frozen": gc.get_freeze_count()}))
"""


def test_a_fresh_worker_loads_every_view_and_freezes_what_it_loaded():
    # A new interpreter, as a gunicorn worker: this test process has imported everything already.
    result = subprocess.run(  # noqa: S603  (our own interpreter and a fixed script)
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["views"] is True
    assert loaded["frozen"] > 10_000
