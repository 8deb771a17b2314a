"""Telling an organisation's admins and owners that one of its webhook endpoints was disabled."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from core.models import Membership, Role
from webhooks.models import WebhookEndpoint

logger = logging.getLogger(__name__)


def tell_admins_endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    """Email the admins and owners that the endpoint was disabled, each in the language they
    chose (one email per language)."""
    admins = Membership.objects.filter(
        organization_id=endpoint.organization_id, role__in=[Role.OWNER, Role.ADMIN]
    ).values_list("user__email", "user__language")
    by_language: dict[str, list[str]] = defaultdict(list)
    for email, language in admins:
        by_language[language or settings.LANGUAGE_CODE].append(email)
    for language, emails in by_language.items():
        with translation.override(language):
            _send_disabled_email(endpoint, emails)


def _send_disabled_email(endpoint: WebhookEndpoint, recipients: list[str]) -> None:
    context = {"endpoint": endpoint, "site_url": settings.SITE_URL, "endpoint_path": endpoint.get_absolute_url()}
    subject = render_to_string("webhooks/email/endpoint_disabled_subject.txt", context).strip()
    try:
        send_mail(
            subject,
            render_to_string("webhooks/email/endpoint_disabled.txt", context),
            None,
            recipients,
            html_message=render_to_string("webhooks/email/endpoint_disabled.html", context),
        )
    except OSError:
        # The settings screen still shows it disabled; a mail server that is down must not undo that.
        logger.warning("could not email the admins about webhook endpoint %s", endpoint.pk, exc_info=True)
