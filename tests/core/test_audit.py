"""The audit log is written for sensitive actions and can never be changed or deleted."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from core.audit import record_event
from core.models import AuditEvent, Organization, Role, User
from core.models.audit import AuditLogImmutableError
from tests.factories import member
from tests.helpers import logged_in_client


@pytest.fixture
def event(organization: Organization, owner: User) -> AuditEvent:
    return record_event(
        "invoice.sent", actor=owner, organization=organization, target=organization, after={"total": "12.50"}
    )


@pytest.mark.django_db
def test_event_records_who_what_and_before_after(event: AuditEvent, owner: User, organization: Organization):
    event.refresh_from_db()
    assert event.actor_email == owner.email
    assert event.target_type == "core.organization"
    assert event.target_id == str(organization.pk)
    assert event.changes == {"after": {"total": "12.50"}}


@pytest.mark.django_db
def test_saving_a_changed_event_is_refused(event: AuditEvent):
    event.action = "nothing.happened"
    with pytest.raises(AuditLogImmutableError):
        event.save()
    event.refresh_from_db()
    assert event.action == "invoice.sent"


@pytest.mark.django_db
def test_deleting_an_event_is_refused(event: AuditEvent):
    with pytest.raises(AuditLogImmutableError):
        event.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="invoice.sent").exists()


@pytest.mark.django_db
def test_the_database_refuses_raw_changes_on_postgresql(event: AuditEvent):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL, the production database")
    for sql in ("UPDATE core_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="invoice.sent").exists()


@pytest.mark.django_db
def test_deleting_the_actor_keeps_the_event_and_its_author(event: AuditEvent, owner: User):
    owner.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_email == "owner@acme.example"


@pytest.mark.django_db
def test_admin_site_offers_no_way_to_change_events(event: AuditEvent, organization: Organization):
    staff = member(organization, Role.OWNER, is_staff=True, is_superuser=True)
    client = logged_in_client(staff)

    change = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    delete = client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_audit_page_filters_by_action_actor_and_date(owner_client: Client, organization: Organization, owner: User):
    record_event("invoice.sent", actor=owner, organization=organization)
    record_event("payment.recorded", actor=None, organization=organization)

    by_action = owner_client.get(reverse("audit_log"), {"action": "payment"}).content.decode()
    by_actor = owner_client.get(reverse("audit_log"), {"actor": owner.email, "action": "invoice"}).content.decode()
    future = owner_client.get(reverse("audit_log"), {"date_from": "2999-01-01"}).content.decode()

    assert "payment.recorded" in by_action and "invoice.sent" not in by_action
    assert "invoice.sent" in by_actor and "payment.recorded" not in by_actor
    assert "No events match" in future


@pytest.mark.django_db
def test_audit_page_explains_an_inverted_date_range(owner_client: Client):
    response = owner_client.get(reverse("audit_log"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})

    assert response.status_code == 200
    assert "must not be before the start date" in response.content.decode()


@pytest.mark.django_db
def test_audit_detail_shows_before_and_after(owner_client: Client, organization: Organization, owner: User):
    event = record_event(
        "membership.role_changed",
        actor=owner,
        organization=organization,
        before={"role": "viewer"},
        after={"role": "admin"},
    )

    page = owner_client.get(reverse("audit_event", args=[event.pk])).content.decode()

    assert "membership.role_changed" in page
    assert "viewer" in page and "admin" in page


@pytest.mark.django_db
def test_members_sign_ins_appear_in_their_organizations_log(
    owner_client: Client, organization: Organization, password: str
):
    finance = member(organization, Role.FINANCE, email="fin@acme.example")
    Client().post(reverse("account_login"), {"login": finance.email, "password": password})

    page = owner_client.get(reverse("audit_log"), {"action": "auth.login"}).content.decode()

    assert "fin@acme.example" in page
