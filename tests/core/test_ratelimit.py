"""Our own endpoints answer 429 with a clear message once a client goes over its rate."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from core.models import Membership, Organization, Role, User
from core.ratelimit import Rate
from tests.factories import member
from tests.helpers import TestResponse, logged_in_client

THREE_A_MINUTE = {"default": "60/m", "switch_organization": "3/m", "membership": "30/m"}


def switch(client: Client, organization: Organization, **extra: Any) -> TestResponse:
    return client.post(reverse("organization_switch"), {"organization": organization.pk}, **extra)


@pytest.mark.django_db
@override_settings(RATE_LIMITS=THREE_A_MINUTE)
def test_over_the_limit_answers_429_with_retry_after(owner_client: Client, organization: Organization):
    statuses = [switch(owner_client, organization).status_code for _ in range(3)]
    refused = switch(owner_client, organization)

    assert statuses == [302, 302, 302]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()


@pytest.mark.django_db
@override_settings(RATE_LIMITS=THREE_A_MINUTE)
def test_json_clients_get_json_details(owner_client: Client, organization: Organization):
    for _ in range(3):
        switch(owner_client, organization)

    refused = switch(owner_client, organization, HTTP_ACCEPT="application/json")

    assert refused.status_code == 429
    body = refused.json()
    assert body["error"] == "rate_limited"
    assert body["retry_after"] == int(refused["Retry-After"])


@pytest.mark.django_db
@override_settings(RATE_LIMITS=THREE_A_MINUTE)
def test_limit_counts_per_user_even_across_addresses(owner_client: Client, organization: Organization):
    for n in range(3):
        switch(owner_client, organization, REMOTE_ADDR=f"10.0.0.{n + 1}")

    assert switch(owner_client, organization, REMOTE_ADDR="10.0.0.99").status_code == 429


@pytest.mark.django_db
@override_settings(RATE_LIMITS=THREE_A_MINUTE)
def test_one_users_excess_does_not_block_another_elsewhere(owner_client: Client, organization: Organization):
    colleague: User = member(organization, Role.VIEWER)
    other = logged_in_client(colleague)
    for _ in range(4):
        switch(owner_client, organization)

    assert switch(other, organization, REMOTE_ADDR="192.0.2.10").status_code == 302


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"default": "2/m"})
def test_groups_without_their_own_rate_use_the_default(owner_client: Client, organization: Organization):
    assert Membership.objects.filter(organization=organization).exists()
    statuses = [switch(owner_client, organization).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_rates_are_parsed_and_bad_ones_rejected():
    assert Rate.parse("10/m") == Rate(10, 60)
    assert Rate.parse("5/h") == Rate(5, 3600)
    with pytest.raises(ImproperlyConfigured):
        Rate.parse("ten per minute")
    with pytest.raises(ImproperlyConfigured):
        Rate.parse("10/fortnight")
