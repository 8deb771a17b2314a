"""Background jobs run by django-q: a queued WhatsApp message handed to Twilio, the five-minute
retry of those Twilio has not taken yet, the ten-minute look at those no callback has settled, and
the hourly cleanup of expired PDF uploads. Scheduled by messaging/migrations/0002_messaging_schedules.py."""

from __future__ import annotations

from messaging import links, services


def deliver(message_id: int) -> str:
    """Hand one WhatsApp message to Twilio; returns its status afterwards."""
    return services.deliver(message_id)


def send_pending() -> int:
    """Every WhatsApp message not yet taken by Twilio (a timeout, a 5xx) is handed over again."""
    return services.deliver_pending()


def follow_messages() -> int:
    """Read from Twilio the status of the messages whose callbacks have not settled them."""
    return services.follow_unsettled()


def destroy_expired_pdfs() -> int:
    """Destroy the PDFs uploaded to Cloudinary whose links have expired; returns how many."""
    return links.destroy_expired_assets()
