"""The demo login that the README's run command prints really signs in."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from core.management.commands.seed_demo import DEMO_EMAIL, DEMO_ORGANIZATION, DEMO_PASSWORD
from core.models import Membership, Role


@pytest.mark.django_db
def test_demo_login_works_and_owns_the_demo_organization(client: Client, capsys: pytest.CaptureFixture[str]):
    with override_settings(DEBUG=True):
        call_command("seed_demo")
        call_command("seed_demo")  # running it again changes nothing

    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in capsys.readouterr().out
    assert client.post(reverse("account_login"), {"login": DEMO_EMAIL, "password": DEMO_PASSWORD}).status_code == 302
    assert DEMO_ORGANIZATION.encode() in client.get(reverse("home")).content
    assert Membership.objects.get(user__email=DEMO_EMAIL).role == Role.OWNER


@pytest.mark.django_db
def test_demo_login_is_refused_outside_development():
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
