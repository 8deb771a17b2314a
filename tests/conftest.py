"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from core.memory import memory
from core.models import Organization, Role, User
from integrations.ponto.webhooks import forget_signing_keys
from tests.factories import PASSWORD, OrganizationFactory, member


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # The cache may be a shared Redis: no test may see another's counters or cached rows.
    # Nor another's Ponto signing keys or core.memory entries, which each process keeps in
    # memory (a rolled-back test's ids and data versions come again in the next test).
    for each in (cache, memory):
        each.clear()
    forget_signing_keys()
    yield
    for each in (cache, memory):
        each.clear()
    forget_signing_keys()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request activates its user's language in this thread and nothing switches it back
    # (each real request activates its own): no test may start in the previous one's language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: SettingsWrapper) -> None:
    # The strong default hasher costs ~0.3 s a login; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organization(db: None) -> Organization:
    return OrganizationFactory.create(name="Acme BV")


@pytest.fixture
def other_organization(db: None) -> Organization:
    return OrganizationFactory.create(name="Rival NV")


@pytest.fixture
def owner(organization: Organization) -> User:
    return member(organization, Role.OWNER, email="owner@acme.example")


@pytest.fixture
def owner_client(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def task_queue(db: None) -> Iterator[Any]:
    """The django-q broker in use (the ORM table, or Redis with REDIS_URL), emptied first."""
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


@pytest.fixture
def browsing_client(owner_client: Client) -> Client:
    """A signed-in user who has already opened a page: the membership cache is filled and the
    session's activity time is fresh, as for every page after the first of a visit."""
    from django.urls import reverse

    assert owner_client.get(reverse("home")).status_code == 200
    return owner_client
