"""Members, the audit log, invitations, an error page and the connection pages as a Dutch- and a
French-speaking user reads them: each in the user's saved language (whatever the browser asks
for), and an invitation email in the language of the person it goes to."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone, translation

from core import services
from core.audit import record_event
from core.formatting import format_date, format_money
from core.models import Invitation, Membership, Organization, Role
from integrations import notifications
from integrations.models import ConnectionStatus, Provider
from tests.factories import make_bank_account, make_connection, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

BALANCE = Decimal("12518.30")  # above a thousand, so the grouping separator shows

# What each language calls things on these pages (the catalogues' words, checked here).
WORDS = {
    "nl": {
        "members_of": "Leden van",
        "owner": "Eigenaar",
        "invite": "Een lid uitnodigen",
        "audit_log": "Auditlogboek",
        "signed_in": "Aangemeld",
        "member_added": "Lid toegevoegd",
        "organisation_name": "Naam van de organisatie",
        "create_organisation": "Organisatie aanmaken",
        "join": "Word lid van Brouwerij Het Anker",
        "as_viewer": "met de rol lezer",
        "not_found": "Niet gevonden",
        "connections": "Koppelingen",
        "connect_ponto": "Ponto koppelen",
        "needs_reauth": "Opnieuw toestemming nodig",
        "reauthorise": "Opnieuw toestemming geven",
        "recent_syncs": "Recente synchronisaties",
        "link_yuki": "Een Yuki-administratie koppelen",
        "access_key": "Toegangssleutel voor webservices",
        "check_key": "Sleutel controleren",
    },
    "fr": {
        "members_of": "Membres de",
        "owner": "Propriétaire",
        "invite": "Inviter un membre",
        "audit_log": "Journal d'audit",
        "signed_in": "Connexion au compte",
        "member_added": "Membre ajouté",
        "organisation_name": "Nom de l'organisation",
        "create_organisation": "Créer l'organisation",
        "join": "Rejoindre Brouwerij Het Anker",
        "as_viewer": "avec le rôle lecteur",
        "not_found": "Introuvable",
        "connections": "Connexions",
        "connect_ponto": "Connecter Ponto",
        "needs_reauth": "Autorisation à renouveler",
        "reauthorise": "Renouveler l'autorisation",
        "recent_syncs": "Synchronisations récentes",
        "link_yuki": "Connecter une administration Yuki",
        "access_key": "Clé d'accès aux services web",
        "check_key": "Vérifier la clé",
    },
}
LANGUAGES = sorted(WORDS)


def reader(organization: Organization, language: str, role: Role = Role.OWNER) -> HttpClient:
    """A member who chose `language` on their account, with a browser that asks for English."""
    user = member(organization, role, email=f"{language}@acme.example", language=language)
    client = logged_in_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(client: HttpClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    # As a reader sees it: &#x27; and &quot; become ' and " again.
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_members_page_reads_in_the_users_language(organization: Organization, language: str):
    words = WORDS[language]
    client = reader(organization, language)
    joined = Membership.objects.get(organization=organization, user__email=f"{language}@acme.example")

    text = page(client, reverse("organization_members"))

    for word in ("members_of", "owner", "invite"):
        assert words[word] in text
    with translation.override(language):
        assert format_date(timezone.localtime(joined.created_at).date()) in text
    assert "Members of" not in text and "Invite a member" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_log_shows_event_names_in_words_of_the_users_language(organization: Organization, language: str):
    words = WORDS[language]
    client = reader(organization, language)
    user = Membership.objects.get(organization=organization, user__email=f"{language}@acme.example").user
    record_event("membership.added", actor=user, organization=organization, after={"user": user.email})
    event = record_event("auth.login", actor=user, target=user)

    log = page(client, reverse("audit_log"))
    detail = page(client, reverse("audit_event", args=[event.pk]))

    assert words["audit_log"] in log and words["member_added"] in log and words["signed_in"] in log
    assert "membership.added" in log  # the stored name stays, for the filter
    assert words["signed_in"] in detail and "auth.login" in detail
    assert "No events match" not in log and "Back to the audit log" not in detail


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_organisation_form_reads_in_the_users_language(organization: Organization, language: str):
    words = WORDS[language]

    text = page(reader(organization, language), reverse("organization_create"))

    assert words["organisation_name"] in text and words["create_organisation"] in text
    assert "Create organisation" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invitation_page_reads_in_the_invited_users_language(language: str):
    organization = Organization.objects.create(name="Brouwerij Het Anker")
    invited = member(Organization.objects.create(name="Elsewhere"), Role.OWNER, email="lies@anker.example")
    invited.language = language
    invited.save(update_fields=["language"])
    invitation = Invitation(organization=organization, email=invited.email, role=Role.VIEWER)
    token = invitation.issue_token()
    invitation.save()
    client = logged_in_client(invited)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    text = page(client, reverse("invitation_accept", args=[token]))

    assert WORDS[language]["join"] in text and WORDS[language]["as_viewer"] in text
    assert "Accept and join" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_not_found_page_reads_in_the_users_language(organization: Organization, language: str):
    text = page(reader(organization, language), reverse("audit_event", args=[999_999]), status=404)

    assert WORDS[language]["not_found"] in text and "Not found" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_connection_pages_read_in_the_users_language(organization: Organization, language: str):
    words = WORDS[language]
    client = reader(organization, language)
    connection = make_connection(organization, status=ConnectionStatus.NEEDS_REAUTH)
    make_bank_account(organization, BALANCE, on=datetime.date(2026, 3, 2), connection=connection)

    listing = page(client, reverse("integrations:connection_list"))
    detail = page(client, reverse("integrations:connection_detail", args=[connection.pk]))

    with translation.override(language):
        balance = format_money(BALANCE, "EUR")
    for text in (listing, detail):
        assert words["needs_reauth"] in text and words["reauthorise"] in text
        assert balance in text
    assert words["connections"] in listing and words["connect_ponto"] in listing
    assert words["recent_syncs"] in detail
    assert "Recent syncs" not in detail and "EUR 12518.30" not in listing


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_yuki_connect_page_reads_in_the_users_language(organization: Organization, language: str):
    words = WORDS[language]

    text = page(reader(organization, language), reverse("integrations:yuki_connect"))

    assert words["link_yuki"] in text and words["access_key"] in text and words["check_key"] in text
    assert "Check the key" not in text


def test_an_invitation_to_a_dutch_speaking_recipient_is_in_dutch(
    organization: Organization, django_capture_on_commit_callbacks
):
    inviter = member(organization, Role.OWNER, email="owner@acme.example", language="en")
    recipient = member(Organization.objects.create(name="Elsewhere"), Role.OWNER, email="an@example.be")
    recipient.language = "nl"
    recipient.save(update_fields=["language"])
    actor = Membership.objects.get(organization=organization, user=inviter)

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(actor=actor, email=recipient.email, role=Role.VIEWER)

    [email] = mail.outbox
    assert email.to == ["an@example.be"]
    assert "nodigt u uit" in email.subject
    assert "Goeddag," in email.body and "met de rol lezer" in email.body
    invitation = Invitation.objects.get(email=recipient.email)
    with translation.override("nl"):
        assert f"verloopt op {format_date(timezone.localtime(invitation.expires_at), 'DATE_FORMAT')}" in email.body
    assert "invites you" not in email.subject and "Hello," not in email.body


def test_an_owner_alert_goes_out_in_each_owners_language(organization: Organization):
    member(organization, Role.OWNER, email="nl@acme.example", language="nl")
    member(organization, Role.OWNER, email="fr@acme.example", language="fr")
    connection = make_connection(organization, provider=Provider.PONTO, status=ConnectionStatus.NEEDS_REAUTH)

    notifications.tell_owners(connection)

    subjects = {tuple(email.to): email.subject for email in mail.outbox}
    assert "opnieuw toestemming" in subjects[("nl@acme.example",)]
    assert "renouvelez l'autorisation" in subjects[("fr@acme.example",)]
