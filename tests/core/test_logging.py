"""Every log line of a request carries its request id; production logs are JSON."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from tests.subprocess_django import run_django


@pytest.mark.django_db
def test_request_id_is_echoed_and_generated(client: Client):
    given = client.get("/health/", HTTP_X_REQUEST_ID="proxy-abc-12345678")
    generated = client.get("/health/")
    hostile = client.get("/health/", HTTP_X_REQUEST_ID="<script>\nfake log line")

    assert given["X-Request-ID"] == "proxy-abc-12345678"
    assert len(generated["X-Request-ID"]) == 32
    assert hostile["X-Request-ID"] != "<script>\nfake log line"


@pytest.mark.django_db
def test_log_lines_during_a_request_carry_its_id(client: Client, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="trace-0000-1111")

    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "Django logs a warning for a 404"
    assert all(getattr(r, "request_id", None) == "trace-0000-1111" for r in records)
    assert response["X-Request-ID"] == "trace-0000-1111"


def test_production_logs_are_json_with_the_request_id():
    code = """
import logging
from core.logging import request_id_var
request_id_var.set("req-42-abcdefgh")
logging.getLogger("smart_invoice.test").warning("payment recorded")
"""
    result = run_django(
        code, DEBUG="0", SECRET_KEY="x" * 50, FIELD_ENCRYPTION_KEYS="JtsyWuJ9ZLhVx_1kfLmBvs8JTx9y5-sE4IVSyddzhmU="
    )

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "payment recorded"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "req-42-abcdefgh"
