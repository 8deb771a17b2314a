"""Members join by accepting an emailed invitation, never just because an admin typed their address."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from core import services
from core.audit import record_event
from core.models import AuditEvent, Invitation, Membership, Organization, Role, User
from tests.factories import OrganizationFactory, UserFactory, member
from tests.helpers import TestResponse, logged_in_client

PASSPHRASE = "a-long-unusual-passphrase"


def invite(client: Client, email: str, role: str = "finance") -> TestResponse:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the email leaves once the invitation commits
        return client.post(reverse("organization_members"), {"email": email, "role": role}, follow=True)


def emailed_link(to: str) -> str:
    message = next(message for message in reversed(mail.outbox) if message.to == [to])
    found = re.search(r"https?://[^/\s]+(/invitations/[\w-]+/)", str(message.body))
    assert found, message.body
    return found.group(1)


@pytest.fixture
def admin(organization: Organization) -> User:
    return member(organization, Role.ADMIN, email="admin@acme.example")


@pytest.fixture
def newcomer() -> User:
    return member(OrganizationFactory.create(name="Elsewhere BV"), Role.OWNER, email="newcomer@example.com")


@pytest.mark.django_db
def test_inviting_an_existing_account_does_not_make_it_a_member(
    admin: User, newcomer: User, organization: Organization
):
    response = invite(logged_in_client(admin), "NEWCOMER@example.com")

    assert response.status_code == 200
    assert not Membership.objects.filter(user=newcomer, organization=organization).exists()
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.is_pending and invitation.role == Role.FINANCE and invitation.invited_by == admin
    assert "/invitations/" in mail.outbox[-1].body and mail.outbox[-1].to == [invitation.email]
    event = AuditEvent.objects.get(action="invitation.created", organization=organization)
    assert event.actor == admin
    assert event.after == {"email": invitation.email, "role": "finance"}


@pytest.mark.django_db
def test_the_page_says_the_same_whether_or_not_the_address_has_an_account(admin: User, newcomer: User):
    client = logged_in_client(admin)

    known = invite(client, "newcomer@example.com").content.decode()
    unknown = invite(client, "ghost@example.com").content.decode()

    def message(page: str, email: str) -> str:
        found = re.search(r"Invitation sent to [^<]*", page)
        assert found, page
        return found.group(0).replace(email, "EMAIL")

    assert message(known, "newcomer@example.com") == message(unknown, "ghost@example.com")
    assert "No account" not in unknown and "existing account" not in unknown
    assert {m.to[0] for m in mail.outbox} == {"newcomer@example.com", "ghost@example.com"}
    assert mail.outbox[0].body.replace("newcomer@example.com", "X") == mail.outbox[1].body.replace(
        "ghost@example.com", "X"
    ).replace(emailed_link("ghost@example.com"), emailed_link("newcomer@example.com"))


@pytest.mark.django_db
def test_the_invited_user_accepts_and_joins_with_the_role(admin: User, newcomer: User, organization: Organization):
    invite(logged_in_client(admin), newcomer.email)
    link = emailed_link(newcomer.email)
    client = logged_in_client(newcomer)

    page = client.get(link)
    accepted = client.post(link)

    assert page.status_code == 200 and "Accept and join Acme BV" in page.content.decode()
    assert accepted.status_code == 302
    assert Membership.objects.get(user=newcomer, organization=organization).role == Role.FINANCE
    assert client.get(reverse("home")).context["organization"] == organization
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    actions = set(AuditEvent.objects.filter(organization=organization, actor=newcomer).values_list("action", flat=True))
    assert {"invitation.accepted", "membership.added"} <= actions
    assert client.post(link).status_code == 404, "the token works once"


@pytest.mark.django_db
def test_the_invitation_email_leaves_only_once_the_invitation_is_committed(
    admin: User, newcomer: User, organization: Organization, django_capture_on_commit_callbacks
):
    actor = Membership.objects.get(user=admin, organization=organization)
    with django_capture_on_commit_callbacks() as callbacks:
        services.invite_member(actor=actor, email=newcomer.email, role=Role.FINANCE)
        assert mail.outbox == []

    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()  # the commit
    assert logged_in_client(newcomer).post(emailed_link(newcomer.email)).status_code == 302


@pytest.mark.django_db
def test_a_resent_invitation_email_leaves_only_once_the_new_token_is_committed(
    admin: User, newcomer: User, organization: Organization, django_capture_on_commit_callbacks
):
    actor = Membership.objects.get(user=admin, organization=organization)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(actor=actor, email=newcomer.email, role=Role.FINANCE)
    first_link = emailed_link(newcomer.email)

    with django_capture_on_commit_callbacks() as callbacks:
        services.resend_invitation(actor=actor, invitation=invitation)
    assert len(mail.outbox) == 1 and len(callbacks) == 1

    callbacks[0]()  # the commit
    assert len(mail.outbox) == 2 and emailed_link(newcomer.email) != first_link


@pytest.mark.django_db
def test_an_invitation_whose_transaction_fails_sends_no_email(
    admin: User, organization: Organization, django_capture_on_commit_callbacks
):
    actor = Membership.objects.get(user=admin, organization=organization)

    @transaction.atomic
    def invite_then_fail() -> None:
        services.invite_member(actor=actor, email="fresh@example.com", role=Role.VIEWER)
        raise RuntimeError("the commit fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        invite_then_fail()

    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_another_account_cannot_accept_someone_elses_invitation(
    admin: User, newcomer: User, organization: Organization
):
    invite(logged_in_client(admin), newcomer.email)
    intruder = member(OrganizationFactory.create(), Role.OWNER, email="intruder@example.com")

    response = logged_in_client(intruder).post(emailed_link(newcomer.email))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=intruder, organization=organization).exists()
    assert Invitation.objects.get(organization=organization).is_pending


@pytest.mark.django_db
def test_an_unknown_address_signs_up_through_the_link_and_joins(admin: User, organization: Organization):
    invite(logged_in_client(admin), "fresh@example.com", role="viewer")
    link = emailed_link("fresh@example.com")
    client = Client()

    page = client.get(link).content.decode()
    signed_up = client.post(
        f"{reverse('account_signup')}?next={link}",
        {
            "email": "fresh@example.com",
            "password1": PASSPHRASE,
            "password2": PASSPHRASE,
        },
    )
    accepted = client.post(link)

    assert "Create an account" in page and "Sign in" in page
    assert signed_up.status_code == 302 and signed_up["Location"] == link
    assert accepted.status_code == 302
    user = User.objects.get(email="fresh@example.com")
    assert [(m.organization, m.role) for m in Membership.objects.filter(user=user)] == [(organization, Role.VIEWER)]


@pytest.mark.django_db
def test_revoked_and_expired_invitations_cannot_be_accepted(admin: User, newcomer: User, organization: Organization):
    client = logged_in_client(admin)
    invite(client, newcomer.email)
    revoked_link = emailed_link(newcomer.email)
    revoked = Invitation.objects.get(organization=organization)
    client.post(reverse("invitation_revoke", args=[revoked.pk]))
    invite(client, newcomer.email)
    expired_link = emailed_link(newcomer.email)

    newcomer_client = logged_in_client(newcomer)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        expired = newcomer_client.post(expired_link)
    gone = newcomer_client.post(revoked_link)

    assert gone.status_code == 404 and expired.status_code == 404
    assert "no longer valid" in gone.content.decode()
    assert not Membership.objects.filter(user=newcomer, organization=organization).exists()
    assert AuditEvent.objects.filter(action="invitation.revoked", organization=organization, actor=admin).exists()


@pytest.mark.django_db
def test_resending_replaces_the_link_and_is_audited(admin: User, newcomer: User, organization: Organization):
    client = logged_in_client(admin)
    invite(client, newcomer.email)
    first_link = emailed_link(newcomer.email)
    invitation = Invitation.objects.get(organization=organization)

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("invitation_resend", args=[invitation.pk]))
    second_link = emailed_link(newcomer.email)

    assert first_link != second_link
    assert logged_in_client(newcomer).post(first_link).status_code == 404
    assert logged_in_client(newcomer).post(second_link).status_code == 302
    assert AuditEvent.objects.filter(action="invitation.resent", organization=organization).count() == 1


@pytest.mark.django_db
def test_admins_see_pending_invitations_and_others_manage_none(
    admin: User, organization: Organization, other_organization: Organization
):
    invite(logged_in_client(admin), "pending@example.com")
    invitation = Invitation.objects.get(organization=organization)
    outsider = logged_in_client(member(other_organization, Role.OWNER))
    viewer = logged_in_client(member(organization, Role.VIEWER))

    assert "pending@example.com" in logged_in_client(admin).get(reverse("organization_members")).content.decode()
    assert "pending@example.com" not in viewer.get(reverse("organization_members")).content.decode()
    assert viewer.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 403
    assert outsider.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    assert outsider.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.django_db
def test_an_admin_cannot_invite_an_owner(admin: User, organization: Organization):
    response = logged_in_client(admin).post(
        reverse("organization_members"), {"email": "boss@example.com", "role": "owner"}
    )

    assert response.status_code == 200
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_token_is_stored_only_as_a_hash(admin: User, organization: Organization):
    invite(logged_in_client(admin), "hash@example.com")
    token = emailed_link("hash@example.com").strip("/").rsplit("/", 1)[-1]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_invitation")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored


@pytest.mark.django_db
def test_sign_ins_show_in_an_organisation_only_from_the_join_date_on(owner_client: Client, organization: Organization):
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=30), tick=False):
        worker = member(OrganizationFactory.create(name="Previous Employer"), Role.OWNER, email="w@example.com")
        before = record_event("auth.login", actor=worker, target=worker)
    with time_machine.travel(start - datetime.timedelta(days=1), tick=False):
        Membership.objects.create(user=worker, organization=organization, role=Role.VIEWER)
    after = record_event("auth.login", actor=worker, target=worker)

    visible = set(AuditEvent.objects.visible_to(organization).filter(actor=worker).values_list("pk", flat=True))
    page = owner_client.get(reverse("audit_log"), {"action": "auth.login"}).content.decode()

    assert visible == {after.pk}
    assert reverse("audit_event", args=[after.pk]) in page
    assert reverse("audit_event", args=[before.pk]) not in page
    assert owner_client.get(reverse("audit_event", args=[before.pk])).status_code == 404
    assert owner_client.get(reverse("audit_event", args=[after.pk])).status_code == 200


@pytest.mark.django_db
def test_the_home_page_shows_no_activity_from_before_joining(organization: Organization):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30), tick=False):
        newcomer = UserFactory.create(email="old@example.com")
        record_event("auth.password_changed", actor=newcomer, target=newcomer)
    admin_user = member(organization, Role.ADMIN)
    Membership.objects.create(user=newcomer, organization=organization, role=Role.VIEWER)

    page = logged_in_client(admin_user).get(reverse("home")).content.decode()

    assert "auth.password_changed" not in page
