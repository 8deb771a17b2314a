"""/health/ and /readiness/: JSON, no authentication, 503 when a dependency is down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from tests.subprocess_django import run_django

PROBE = """
from django.test import Client
for path in ("/health/", "/readiness/"):
    r = Client(HTTP_HOST="10.1.2.3").get(path)
    print(path, r.status_code, r.content.decode())
"""

UNREACHABLE_DATABASES = {
    "postgresql": "postgres://postgres:s3cret-password@127.0.0.1:1/smart_invoice",
    "sqlite": "sqlite:////nonexistent-directory/smart_invoice.sqlite3",
}


def probe(**env: str) -> dict[str, tuple[int, dict[str, object], str]]:
    result = run_django(PROBE, DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    answers = {}
    for line in result.stdout.strip().splitlines():
        path, status, body = line.split(" ", 2)
        answers[path] = (int(status), json.loads(body), body)
    return answers


@pytest.mark.django_db
def test_health_is_ok_without_signing_in(client: Client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_checks_migrations_and_the_queue_broker(client: Client):
    response = client.get("/readiness/")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "migrations": "ok", "broker": "ok"}


@pytest.mark.parametrize("engine", sorted(UNREACHABLE_DATABASES))
def test_unreachable_database_makes_both_probes_503(engine: str):
    answers = probe(DATABASE_URL=UNREACHABLE_DATABASES[engine])

    for path in ("/health/", "/readiness/"):
        status, body, raw = answers[path]
        assert status == 503
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "failing"  # type: ignore[index]
        assert "s3cret" not in raw and "nonexistent-directory" not in raw, "no connection details leak"


def test_unapplied_migrations_fail_readiness_but_not_health(tmp_path: Path):
    answers = probe(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")

    assert answers["/health/"][0] == 200
    status, body, _ = answers["/readiness/"]
    assert status == 503
    assert body["checks"]["migrations"] == "failing"  # type: ignore[index]
