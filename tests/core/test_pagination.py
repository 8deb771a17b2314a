"""Lists page through rows without counting them all."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.audit import record_event
from core.models import AuditEvent, Organization
from core.pagination import paginate


@pytest.mark.django_db
def test_pages_cover_every_row_once_and_know_when_to_stop(organization: Organization):
    for n in range(7):
        record_event("test.event", organization=organization, after={"n": n})
    events = AuditEvent.objects.filter(organization=organization).order_by("id")
    seen, number = [], 1
    while True:
        page, query = paginate(RequestFactory().get("/", {"page": str(number), "action": "x"}), events, size=3)
        seen += [event.after["n"] for event in page]
        if not page.has_next:
            break
        number += 1

    assert seen == list(range(7))
    assert number == 3
    assert query == "action=x"


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["0", "-4", "abc", ""])
def test_a_nonsense_page_number_shows_the_first_page(organization: Organization, given: str):
    record_event("test.event", organization=organization)
    page, _ = paginate(RequestFactory().get("/", {"page": given}), AuditEvent.objects.all())
    assert (page.number, len(page), page.has_previous) == (1, 1, False)
