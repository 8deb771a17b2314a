"""Twilio's error codes that a WhatsApp message meets most, in words a billing user can act on.
Stored as Twilio sends them (code and text); shown with these words where we know the code."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

# https://www.twilio.com/docs/api/errors/<code>
KNOWN = {
    21211: gettext_noop("The number is not a valid phone number."),
    21408: gettext_noop("Twilio may not send to this country with this account."),
    21610: gettext_noop("The client asked not to receive messages from this sender."),
    21656: gettext_noop("The template's variables were refused (one was empty or malformed)."),
    63003: gettext_noop("This number has no WhatsApp account."),
    63016: gettext_noop("WhatsApp refused a free-form message outside the 24-hour window: use an approved template."),
    63019: gettext_noop("WhatsApp could not download the PDF from its link."),
    63024: gettext_noop("WhatsApp refused the recipient: the number cannot receive this message."),
    63049: gettext_noop("Meta chose not to deliver this message."),
}


# Why the worker did not send a message at all, stored as these words and shown translated.
OUTDATED_INVOICE = gettext_noop("Not sent: the invoice was cancelled or deleted before the message went out.")
OUTDATED_REMINDER = gettext_noop("Not sent: the invoice was paid before the reminder went out.")


def describe(code: int | None, message: str) -> str:
    """Our words for a known code or one of our reasons, else Twilio's own message as it came."""
    if code in KNOWN:
        return gettext(KNOWN[code])
    if message in (OUTDATED_INVOICE, OUTDATED_REMINDER):
        return gettext(message)
    return message
