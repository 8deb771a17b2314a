"""The "Pay online" form is redirected to the provider's hosted checkout, and browsers hold that
redirect to the page's form-action policy: the checkouts' origins must be in it, or nobody can pay."""

from __future__ import annotations

import json

from tests.core.test_settings import PRODUCTION
from tests.subprocess_django import run_django

FORM_ACTION = (
    "from django.conf import settings\nprint(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
)


def _form_action(**env: str) -> list[str]:
    result = run_django("import json\n" + FORM_ACTION, **env)
    assert result.returncode == 0, result.stderr
    allowed: list[str] = json.loads(result.stdout)
    return allowed


def test_production_lets_the_pay_online_form_reach_mollie_and_paystack_checkouts():
    allowed = _form_action(**PRODUCTION)

    assert "https://www.mollie.com" in allowed
    assert "https://checkout.paystack.com" in allowed
    assert "'self'" in allowed


def test_the_checkout_origins_can_be_set_and_are_listed_once():
    allowed = _form_action(**PRODUCTION, PAYMENT_CHECKOUT_ORIGINS="https://pay.example.com,https://pay.example.com")

    assert allowed.count("https://pay.example.com") == 1
    assert "https://www.mollie.com" not in allowed


def test_development_allows_the_sandboxes_checkouts():
    allowed = _form_action(DEBUG="1", SANDBOX_URL="http://127.0.0.1:8123")

    assert "http://127.0.0.1:8123" in allowed
