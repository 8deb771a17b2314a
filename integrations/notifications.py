"""Telling an organisation's owners that a connection needs them."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from core.models import Membership
from integrations.models import Connection

logger = logging.getLogger(__name__)


def tell_owners(connection: Connection) -> None:
    """Email the owners that the connection needs re-authorisation or keeps failing, each in the
    language they chose (one email per language)."""
    owners = (
        Membership.objects.owners()
        .filter(organization_id=connection.organization_id)
        .values_list("user__email", "user__language")
    )
    by_language: dict[str, list[str]] = defaultdict(list)
    for email, language in owners:
        by_language[language or settings.LANGUAGE_CODE].append(email)
    for language, emails in by_language.items():
        with translation.override(language):
            _send_attention_email(connection, emails)


def _send_attention_email(connection: Connection, recipients: list[str]) -> None:
    context = {"connection": connection, "site_url": settings.SITE_URL}
    subject = render_to_string("integrations/email/connection_attention_subject.txt", context).strip()
    try:
        send_mail(
            subject,
            render_to_string("integrations/email/connection_attention.txt", context),
            None,
            recipients,
            html_message=render_to_string("integrations/email/connection_attention.html", context),
        )
    except OSError:
        # The banner still shows it; a mail server that is down must not fail the sync bookkeeping.
        logger.warning("could not email the owners about connection %s", connection.pk, exc_info=True)
