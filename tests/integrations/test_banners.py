"""The connection banners are cached per organisation and dropped when a status change commits,
whoever makes it: the runner, a consent, a disconnection."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Organization
from integrations.banners import connection_notices
from integrations.models import ConnectionStatus, Provider
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


def test_a_status_change_replaces_the_cached_banners_once_it_commits(
    organization: Organization, django_capture_on_commit_callbacks
):
    connection = make_connection(organization)
    assert connection_notices(organization.pk)[0] == []  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        connection.set_status(ConnectionStatus.NEEDS_REAUTH)
        # Not yet committed: a page rendered now must not cache the state being replaced.
        assert connection_notices(organization.pk)[0] == []

    [banner] = connection_notices(organization.pk)[0]
    assert banner["pk"] == connection.pk and banner["needs_reauth"]


def test_a_rolled_back_status_change_leaves_the_banners(organization: Organization, django_capture_on_commit_callbacks):
    connection = make_connection(organization)
    assert connection_notices(organization.pk)[0] == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                connection.set_status(ConnectionStatus.ERROR)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert connection_notices(organization.pk)[0] == []


def test_a_consent_ending_soon_shows_once_the_sync_stores_its_expiry(
    organization: Organization, django_capture_on_commit_callbacks
):
    connection = make_connection(organization)
    assert connection_notices(organization.pk)[0] == []

    with django_capture_on_commit_callbacks(execute=True):
        connection.set_consent_expiry(timezone.now() + datetime.timedelta(days=3))

    [banner] = connection_notices(organization.pk)[0]
    assert banner["consent_expires_at"] == connection.consent_expires_at


def test_disconnecting_drops_the_banner_and_the_linked_provider(
    owner_client: Client, organization: Organization, django_capture_on_commit_callbacks
):
    connection = make_connection(organization, provider=Provider.YUKI, status=ConnectionStatus.ERROR)
    assert owner_client.get(reverse("home")).context["linked_providers"] == {Provider.YUKI}

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("integrations:connection_disconnect", args=[connection.pk]))

    page = owner_client.get(reverse("home"))
    assert page.context["connection_banners"] == [] and page.context["linked_providers"] == set()
