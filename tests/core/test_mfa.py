"""Two-factor authentication with TOTP: enrol, then every sign-in asks for a code."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, User


def totp_now(secret: str) -> str:
    # RFC 6238 with allauth's defaults: 30-second steps, 6 digits.
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def sign_in(client: Client, user: User, password: str) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302


def enrol_totp(client: Client, password: str) -> str:
    # Adding a second factor is sensitive: allauth asks for the password once more first.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(reverse("account_reauthenticate"), {"password": password}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = str(page.context["form"].secret)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


@pytest.mark.django_db
def test_enrolled_user_must_give_a_totp_code_to_sign_in(client: Client, owner: User, password: str):
    sign_in(client, owner, password)
    secret = enrol_totp(client, password)
    client.post(reverse("account_logout"))

    response = client.post(reverse("account_login"), {"login": owner.email, "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302, "password alone must not sign in"
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_now(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get(reverse("home")).status_code == 302
    done = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_enrolment_is_audited_and_recovery_codes_are_issued(
    client: Client, owner: User, password: str, django_capture_on_commit_callbacks
):
    sign_in(client, owner, password)
    # allauth announces the new authenticator once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        enrol_totp(client, password)

    types = set(Authenticator.objects.filter(user=owner).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    added = AuditEvent.objects.filter(action="mfa.added", target_id=str(owner.pk))
    assert sorted(event.after["type"] for event in added) == ["recovery_codes", "totp"]


@pytest.mark.django_db
def test_totp_secret_is_not_stored_in_plain_text(client: Client, owner: User, password: str):
    sign_in(client, owner, password)
    secret = enrol_totp(client, password)

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert secret not in stored
    assert Authenticator.objects.get(user=owner, type="totp").wrap().instance.data["secret"] != secret


@pytest.mark.django_db
def test_recovery_code_signs_in_once(client: Client, owner: User, password: str):
    sign_in(client, owner, password)
    enrol_totp(client, password)
    codes = Authenticator.objects.get(user=owner, type="recovery_codes").wrap().get_unused_codes()
    client.post(reverse("account_logout"))

    sign_in(client, owner, password)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.post(reverse("account_logout"))
    sign_in(client, owner, password)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200
