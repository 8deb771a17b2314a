"""Schemathesis sweeps the live API from its own published schema: every operation, with valid and
invalid data made from the schema, as an admin's key of an organisation with data. No answer may
be a server error, and every answer must match what the schema documents."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from core.models import Organization
from tests.factories import add_transactions, make_api_key, make_bank_account, make_client, make_invoice

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,response_headers_conformance"
# Examples per operation and phase, and the whole run's budget: enough to reach every branch of
# the validation and keep CI's API sweep to under three minutes a leg (CI has half an hour in all).
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30")
MAX_SECONDS = os.environ.get("SCHEMATHESIS_MAX_SECONDS", "150")


def _some_data(organization: Organization) -> None:
    client = make_client(organization, name="Brasserie Dupont")
    make_invoice(organization, client=client)
    add_transactions(make_bank_account(organization), (datetime.date(2026, 3, 2), "-42.50"))


def test_api_answers_as_its_schema_says(live_server: LiveServer, tmp_path: Path, settings: SettingsWrapper) -> None:
    # The sweep is one caller far above any real one's rate.
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api": "100000/m"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    organization = Organization.objects.create(name="Sweep BV")
    _some_data(organization)
    _, token = make_api_key(organization)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{live_server.url}/api/v1/schema/?format=json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--mode",
        "all",
        "--max-examples",
        MAX_EXAMPLES,
        "--max-time",
        MAX_SECONDS,
        "--seed",
        "20261207",
        "--generation-deterministic",
        "--report",
        "har",
        "--report-dir",
        os.environ.get("SCHEMATHESIS_REPORT_DIR", str(tmp_path)),
    ]
    result = subprocess.run(  # noqa: S603 - our own interpreter, arguments of our own
        command, capture_output=True, text=True, timeout=int(MAX_SECONDS) + 120, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
