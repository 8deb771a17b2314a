"""Sessions end after 30 minutes without activity, and when the password changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import User
from tests.helpers import logged_in_client


def sign_in(client: Client, user: User, password: str) -> None:
    assert client.post(reverse("account_login"), {"login": user.email, "password": password}).status_code == 302


@pytest.mark.django_db
def test_session_ends_after_thirty_idle_minutes(client: Client, owner: User, password: str):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, owner, password)
        assert client.get(reverse("home")).status_code == 200

        clock.move_to(start + datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_activity_keeps_the_session_alive(client: Client, owner: User, password: str):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, owner, password)
        for minutes in (20, 40, 60, 80):
            clock.move_to(start + datetime.timedelta(minutes=minutes))
            assert client.get(reverse("home")).status_code == 200, f"signed out at {minutes} min"


@pytest.mark.django_db
def test_changing_the_password_signs_out_other_sessions(client: Client, owner: User, password: str):
    sign_in(client, owner, password)
    other_device = Client()
    sign_in(other_device, owner, password)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200, "the session that changed it stays signed in"
    assert other_device.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_sign_out_ends_the_session(owner: User):
    client = logged_in_client(owner)
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302
