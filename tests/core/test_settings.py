"""Production settings: refuse to start without secrets, and turn on every transport protection."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet

from tests.subprocess_django import run_django

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "invoices.example.com",
}


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]

    result = run_django("print('started')", **env)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    env = {**PRODUCTION}
    del env["FIELD_ENCRYPTION_KEYS"]

    result = run_django("print('started')", **env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_development_starts_with_no_configuration_at_all():
    result = run_django("from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])", DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_production_turns_on_https_hsts_and_secure_cookies():
    code = """
import json
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in (
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "ACCOUNT_EMAIL_VERIFICATION", "LOG_FORMAT")}))
"""
    result = run_django(code, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert values["LOG_FORMAT"] == "json"


def test_production_redirects_plain_http_and_sends_hsts():
    code = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
c = Client(HTTP_HOST="invoices.example.com")
plain = c.get("/")
secure = c.get("/", secure=True)
probe = Client(HTTP_HOST="10.0.0.7:8000").get("/health/")
print(plain.status_code, plain.get("Location"))
print(secure.status_code, secure.get("Strict-Transport-Security"))
print(probe.status_code in (200, 503), probe.get("Location"))
"""
    result = run_django(code, **PRODUCTION, DATABASE_URL="sqlite:///:memory:")

    assert result.returncode == 0, result.stderr
    plain, secure, probe = result.stdout.strip().splitlines()[-3:]
    assert plain == "301 https://invoices.example.com/"
    assert secure == "302 max-age=63072000; includeSubDomains; preload"
    # The load balancer's probe comes over plain HTTP with an internal host: answered, not redirected.
    assert probe == "True None"


def test_a_malformed_boolean_is_a_clear_error():
    result = run_django("pass", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_sentry_is_set_up_only_with_a_dsn_and_sends_no_personal_data():
    code = """
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), client.options["send_default_pii"] if client.is_active() else None)
"""
    without = run_django(code, DEBUG="1")
    with_dsn = run_django(code, DEBUG="1", SENTRY_DSN="https://public@o0.ingest.sentry.io/0")

    assert without.stdout.split() == ["False", "None"]
    assert with_dsn.stdout.split() == ["True", "False"]


def test_queue_retries_only_after_the_timeout_and_picks_its_broker():
    code = """
from django_q.brokers import get_broker
from django_q.conf import Conf
print(Conf.RETRY > Conf.TIMEOUT, Conf.MAX_ATTEMPTS, type(get_broker()).__name__)
"""
    embedded = run_django(code, DEBUG="1")
    redis = run_django(code, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/15")

    assert embedded.stdout.split() == ["True", "3", "ORM"], embedded.stderr
    assert redis.stdout.split() == ["True", "3", "DeferringRedisBroker"], redis.stderr
