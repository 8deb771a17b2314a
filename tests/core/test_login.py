"""Signing in by email, failed attempts audited and rate-limited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, User


@pytest.mark.django_db
def test_login_by_email_reaches_the_dashboard_and_is_audited(client: Client, owner: User, password: str):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": password})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == owner
    assert event.ip_address == "127.0.0.1"
    assert event.target_id == str(owner.pk)


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(client: Client, owner: User):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "wrong-password"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.target_id == str(owner.pk)
    assert event.after == {"email": owner.email}


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_for_a_while(client: Client, owner: User, password: str):
    for n in range(5):
        client.post(reverse("account_login"), {"login": owner.email, "password": f"wrong-{n}"})

    response = client.post(reverse("account_login"), {"login": owner.email, "password": password})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_login_flood_from_one_address_gets_429(client: Client, owner: User):
    statuses = [
        client.post(reverse("account_login"), {"login": f"nobody{n}@example.com", "password": "x"}).status_code
        for n in range(32)
    ]

    assert statuses[0] == 200
    assert statuses[-1] == 429


@pytest.mark.django_db
def test_user_without_organization_is_sent_to_create_one(client: Client, password: str):
    from tests.factories import UserFactory

    user = UserFactory.create()
    client.post(reverse("account_login"), {"login": user.email, "password": password})

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("organization_create")
    created = client.post(reverse("organization_create"), {"name": "Solo Consulting"})
    assert created.status_code == 302
    assert b"Solo Consulting" in client.get(reverse("home")).content


@pytest.mark.django_db
def test_failed_logins_from_one_address_do_not_lock_the_owner_out_elsewhere(client: Client, owner: User, password: str):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for n in range(5):
        attacker.post(reverse("account_login"), {"login": owner.email, "password": f"wrong-{n}"})

    from_attacker = attacker.post(reverse("account_login"), {"login": owner.email, "password": password})
    from_owner = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("account_login"), {"login": owner.email, "password": password}
    )

    assert "Too many failed login attempts" in from_attacker.content.decode()
    assert from_owner.status_code == 302, "the owner signs in from another address"


@pytest.mark.django_db
def test_failures_against_many_accounts_from_one_address_are_still_throttled(client: Client, password: str):
    from tests.factories import UserFactory

    victims = UserFactory.create_batch(11)
    for n, victim in enumerate(victims[:10]):
        client.post(reverse("account_login"), {"login": victim.email, "password": f"wrong-{n}"})

    response = client.post(reverse("account_login"), {"login": victims[10].email, "password": password})

    assert response.status_code != 302
    assert client.get(reverse("home")).status_code == 302
