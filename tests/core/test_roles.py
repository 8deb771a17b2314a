"""Roles decide who may change what: viewers read, admins manage members, owners own."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Membership, Organization, Role, User
from tests.factories import OrganizationFactory, member
from tests.helpers import logged_in_client


def membership_of(user: User) -> Membership:
    return Membership.objects.get(user=user)


@pytest.mark.django_db
def test_viewer_can_read_but_not_change(organization: Organization):
    viewer = member(organization, Role.VIEWER)
    target = member(organization, Role.FINANCE)
    client = logged_in_client(viewer)

    assert client.get(reverse("organization_members")).status_code == 200
    assert client.post(reverse("organization_members"), {"email": "x@example.com", "role": "viewer"}).status_code == 403
    response = client.post(reverse("membership_role", args=[membership_of(target).pk]), {"role": "admin"})
    assert response.status_code == 403
    assert membership_of(target).role == Role.FINANCE


@pytest.mark.django_db
def test_viewer_and_finance_cannot_open_the_audit_log(organization: Organization):
    for role in (Role.VIEWER, Role.FINANCE):
        assert logged_in_client(member(organization, role)).get(reverse("audit_log")).status_code == 403


@pytest.mark.django_db
def test_admin_invites_a_member_who_joins_on_accepting(organization: Organization):
    admin = member(organization, Role.ADMIN)
    newcomer = member(OrganizationFactory.create(), Role.OWNER, email="newcomer@example.com")

    response = logged_in_client(admin).post(
        reverse("organization_members"), {"email": "NEWCOMER@example.com", "role": "finance"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(user=newcomer, organization=organization).exists(), "not without consent"
    event = AuditEvent.objects.get(action="invitation.created", organization=organization, actor=admin)
    assert event.after == {"email": "NEWCOMER@example.com", "role": "finance"}
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_inviting_an_unknown_email_does_not_say_it_has_no_account(owner_client: Client):
    response = owner_client.post(
        reverse("organization_members"), {"email": "ghost@example.com", "role": "viewer"}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "No account uses this email address" not in page
    assert "Invitation sent to ghost@example.com" in page


@pytest.mark.django_db
def test_admin_cannot_make_an_owner_nor_touch_one(organization: Organization, owner: User):
    admin = member(organization, Role.ADMIN)
    viewer = member(organization, Role.VIEWER)
    client = logged_in_client(admin)

    assert (
        client.post(reverse("membership_role", args=[membership_of(viewer).pk]), {"role": "owner"}).status_code == 403
    )
    assert (
        client.post(reverse("membership_role", args=[membership_of(owner).pk]), {"role": "viewer"}).status_code == 403
    )
    assert client.post(reverse("membership_remove", args=[membership_of(owner).pk])).status_code == 403
    assert membership_of(owner).role == Role.OWNER
    assert membership_of(viewer).role == Role.VIEWER


@pytest.mark.django_db
def test_role_change_is_audited_with_before_and_after(owner_client: Client, organization: Organization, owner: User):
    finance = member(organization, Role.FINANCE, email="fin@acme.example")

    owner_client.post(reverse("membership_role", args=[membership_of(finance).pk]), {"role": "admin"})

    assert membership_of(finance).role == Role.ADMIN
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.before == {"user": "fin@acme.example", "role": "finance"}
    assert event.after == {"user": "fin@acme.example", "role": "admin"}
    assert event.actor == owner


@pytest.mark.django_db
def test_last_owner_can_be_neither_demoted_nor_removed(owner_client: Client, owner: User):
    demote = owner_client.post(
        reverse("membership_role", args=[membership_of(owner).pk]), {"role": "admin"}, follow=True
    )
    leave = owner_client.post(reverse("membership_remove", args=[membership_of(owner).pk]), follow=True)

    assert "at least one owner" in demote.content.decode()
    assert "at least one owner" in leave.content.decode()
    assert membership_of(owner).role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_may_step_down_once_there_is_another(owner_client: Client, organization: Organization, owner: User):
    second = member(organization, Role.OWNER)

    owner_client.post(reverse("membership_role", args=[membership_of(owner).pk]), {"role": "viewer"})

    assert membership_of(owner).role == Role.VIEWER
    assert membership_of(second).role == Role.OWNER


@pytest.mark.django_db
def test_any_member_may_leave(organization: Organization, owner: User):
    viewer = member(organization, Role.VIEWER)

    response = logged_in_client(viewer).post(reverse("membership_remove", args=[membership_of(viewer).pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(user=viewer).exists()
    assert AuditEvent.objects.filter(action="membership.removed", actor=viewer).exists()


@pytest.mark.django_db
def test_bad_role_value_is_a_message_not_an_error(owner_client: Client, organization: Organization):
    viewer = member(organization, Role.VIEWER)

    response = owner_client.post(
        reverse("membership_role", args=[membership_of(viewer).pk]), {"role": "emperor"}, follow=True
    )

    assert response.status_code == 200
    assert "Choose one of the roles" in response.content.decode()
    assert membership_of(viewer).role == Role.VIEWER
