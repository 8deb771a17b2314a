"""Telling an organisation's owners that a connection needs them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core.models import Membership
from integrations.models import Connection

logger = logging.getLogger(__name__)


def tell_owners(connection: Connection) -> None:
    """Email the owners that the connection needs re-authorisation or keeps failing."""
    owners = list(
        Membership.objects.owners()
        .filter(organization_id=connection.organization_id)
        .values_list("user__email", flat=True)
    )
    if not owners:
        return
    context = {"connection": connection, "site_url": settings.SITE_URL}
    subject = render_to_string("integrations/email/connection_attention_subject.txt", context).strip()
    try:
        send_mail(
            subject,
            render_to_string("integrations/email/connection_attention.txt", context),
            None,
            owners,
            html_message=render_to_string("integrations/email/connection_attention.html", context),
        )
    except OSError:
        # The banner still shows it; a mail server that is down must not fail the sync bookkeeping.
        logger.warning("could not email the owners about connection %s", connection.pk, exc_info=True)
