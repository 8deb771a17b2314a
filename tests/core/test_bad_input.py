"""The organisation pages answer malformed filters with a form error, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Organization
from tests.factories import audit_event_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("date_to", ["9999-12-31", "0001-01-01"])
def test_audit_log_dates_at_the_calendars_ends_are_a_form_error(
    owner_client: Client, organization: Organization, date_to: str
):
    audit_event_in(organization)

    response = owner_client.get(reverse("audit_log"), {"date_to": date_to})

    assert response.status_code == 200
    assert "Use a date between 01/01/2000 and 31/12/2099." in response.content.decode()
    assert list(response.context["page"]) == []


def test_audit_log_date_range_within_bounds_filters(owner_client: Client, organization: Organization):
    audit_event_in(organization)

    response = owner_client.get(reverse("audit_log"), {"date_from": "2000-01-01", "date_to": "2099-12-31"})

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert len(response.context["page"]) >= 1
