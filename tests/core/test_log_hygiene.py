"""No query string reaches the logs or the error reports: an OAuth callback's query holds the
authorisation code and state. Nor does an invitation's token, which is in the link's path."""

from __future__ import annotations

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.test import Client
from gunicorn.config import Config  # type: ignore[import-untyped]  # gunicorn ships no type information

from core.logging import RequestPathFilter
from tests.subprocess_django import run_django

CALLBACK = "/connections/ponto/callback/?code=SECRET-CODE-123&state=SECRET-STATE-456"
INVITATION = "/invitations/SECRET-TOKEN-789_x/"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEYS": "JtsyWuJ9ZLhVx_1kfLmBvs8JTx9y5-sE4IVSyddzhmU=",
    "ALLOWED_HOSTS": "testserver",
}


def gunicorn_access_line(raw_uri: str) -> str:
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "platform" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", conf["access_log_format"])
    cfg.set("logger_class", conf["logger_class"])
    logger = cfg.logger_class(cfg)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    path, _, query = unquote(raw_uri).partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://bank.example{raw_uri}",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("X-Request-ID", "rid-12345678")])
    request = SimpleNamespace(headers=[("USER-AGENT", "Firefox"), ("REFERER", f"https://bank.example{raw_uri}")])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    return stream.getvalue()


def test_gunicorn_logs_the_callback_path_without_code_or_state():
    line = gunicorn_access_line(CALLBACK)

    assert '"GET /connections/ponto/callback/ HTTP/1.1" 302' in line
    assert "SECRET" not in line
    assert "rid=rid-12345678" in line


def test_gunicorn_logs_an_encoded_newline_in_the_path_as_sent():
    line = gunicorn_access_line("/invoices/%0Afake%20line/?q=SECRET")

    assert '"GET /invoices/%0Afake%20line/ HTTP/1.1"' in line
    assert line.count("\n") == 1
    assert "SECRET" not in line


def production_request_log_line(path: str) -> str:
    """The JSON line our production logging writes for Django's "Not Found" of a request of `path`."""
    code = f"""
import logging
from django.test import RequestFactory
request = RequestFactory().get({path!r})
logging.getLogger("django.request").warning(
    "Not Found: %s", request.path, extra={{"status_code": 404, "request": request}}
)
"""
    result = run_django(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return result.stderr


def sentry_envelopes(body: str, expected: int) -> str:
    """What Sentry would be sent while `body` runs in a production process (RequestFactory,
    logging and sentry_sdk imported), as text."""
    code = f"""
import logging
import sentry_sdk
from sentry_sdk.transport import Transport
from django.test import RequestFactory

sent = []

class Capture(Transport):
    def capture_envelope(self, envelope):
        sent.append(envelope.serialize().decode())

sentry_sdk.get_client().transport = Capture()
{body}
sentry_sdk.flush()
print("ENVELOPES", len(sent))
print("\\n".join(sent))
"""
    result = run_django(code, **PRODUCTION, SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert result.returncode == 0, result.stderr
    assert f"ENVELOPES {expected}" in result.stdout, result.stdout + result.stderr
    return result.stdout


def test_django_request_lines_carry_the_path_without_the_query():
    logged = production_request_log_line(CALLBACK)

    assert '"request": "GET /connections/ponto/callback/"' in logged.strip().splitlines()[-1]
    assert "SECRET" not in logged


def test_error_reports_and_their_breadcrumbs_carry_no_query_string():
    sent = sentry_envelopes(
        f"""
request = RequestFactory().get({CALLBACK!r})
logging.getLogger("invoices").warning("Not Found: %s", request.path, extra={{"request": request}})
sentry_sdk.add_breadcrumb(
    category="httplib", data={{"url": "https://bank.example{CALLBACK}", "http.query": "code=SECRET"}}
)
with sentry_sdk.new_scope() as scope:
    scope.add_event_processor(lambda event, hint: {{**event, "request": {{
        "url": "http://testserver{CALLBACK}", "query_string": "code=SECRET-CODE-123", "method": "GET"}}}})
    sentry_sdk.capture_message("Internal Server Error")
""",
        expected=1,
    )

    assert "/connections/ponto/callback/" in sent
    assert "SECRET" not in sent


@pytest.mark.parametrize(
    "raw_uri",
    [
        INVITATION,
        f"{INVITATION}?next=/",
        "/invitations/SECRET-TOKEN-789_x",  # before the redirect that appends the slash
        "/invitations/SECRET%2DTOKEN%2D789_x/",  # encoded, as Django decodes and routes it
        "/%69nvitations/SECRET-TOKEN-789_x/",
    ],
)
def test_gunicorn_logs_an_invitation_link_without_its_token(raw_uri: str):
    line = gunicorn_access_line(raw_uri)

    assert "nvitations/[token]" in line
    assert "SECRET" not in line
    assert line.count("\n") == 1


def test_gunicorn_logs_the_members_pages_invitation_ids():
    line = gunicorn_access_line("/members/invitations/42/resend/")

    assert '"GET /members/invitations/42/resend/ HTTP/1.1"' in line


@pytest.mark.django_db
def test_our_request_log_lines_carry_an_invitation_link_without_its_token(client: Client):
    [handler] = [h for h in logging.getLogger().handlers if any(isinstance(f, RequestPathFilter) for f in h.filters)]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get(f"{INVITATION}?next=/")  # no such invitation: Django logs "Not Found"
    finally:
        handler.setStream(previous)

    assert response.status_code == 404
    assert "Not Found: /invitations/[token]/" in stream.getvalue()
    assert "SECRET" not in stream.getvalue()


def test_production_request_log_lines_carry_an_invitation_link_without_its_token():
    logged = production_request_log_line(INVITATION)

    line = logged.strip().splitlines()[-1]
    assert '"message": "Not Found: /invitations/[token]/"' in line
    assert '"request": "GET /invitations/[token]/"' in line
    assert "SECRET" not in logged


def test_error_reports_and_their_breadcrumbs_carry_no_invitation_token():
    sent = sentry_envelopes(
        f"""
request = RequestFactory().get({INVITATION!r})
logging.getLogger("core.views").warning("Not Found: %s", request.path, extra={{"request": request}})
sentry_sdk.add_breadcrumb(category="httplib", data={{"url": "https://bank.example{INVITATION}"}})
with sentry_sdk.new_scope() as scope:
    scope.add_event_processor(lambda event, hint: {{**event, "request": {{
        "url": "http://testserver{INVITATION}", "method": "POST",
        "headers": {{"Referer": "http://testserver{INVITATION}"}}}}}})
    logging.getLogger("core.views").error("Internal Server Error: %s", request.path, extra={{"request": request}})

def accept(path):
    raise RuntimeError("could not accept")

try:
    accept(request.path)
except RuntimeError:
    sentry_sdk.capture_exception()
""",
        expected=2,
    )

    assert "/invitations/[token]/" in sent
    assert "SECRET" not in sent
