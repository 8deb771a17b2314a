"""Signing up creates the user's organisation, with the user as its owner."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from core.models import AuditEvent, Membership, Role, User

SIGNUP = {
    "email": "new@startup.example",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
    "organization_name": "Startup BV",
}


@pytest.mark.django_db
def test_signup_creates_organization_owned_by_the_new_user(client: Client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="new@startup.example")
    membership = Membership.objects.select_related("organization").get(user=user)
    assert membership.organization.name == "Startup BV"
    assert membership.role == Role.OWNER
    actions = set(AuditEvent.objects.filter(organization=membership.organization).values_list("action", flat=True))
    assert {"organization.created", "membership.added"} <= actions
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"Startup BV" in home.content


@pytest.mark.django_db
def test_signup_without_organization_name_creates_none_and_asks_for_one_later(client: Client):
    # Someone invited to an existing organisation has no organisation of their own to name.
    response = client.post(reverse("account_signup"), {**SIGNUP, "organization_name": ""})

    assert response.status_code == 302
    user = User.objects.get(email="new@startup.example")
    assert not Membership.objects.filter(user=user).exists()
    assert client.get(reverse("home"))["Location"] == reverse("organization_create")


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_verification_sends_a_confirmation_and_keeps_the_user_out(client: Client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert "new@startup.example" in mail.outbox[0].to
    assert not EmailAddress.objects.get(email="new@startup.example").verified
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
@override_settings(ACCOUNT_ALLOW_SIGNUP=False)
def test_closed_signup_creates_nobody(client: Client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert b"Sign Up Closed" in response.content
    assert not User.objects.exists()
