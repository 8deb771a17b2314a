"""Background jobs run by django-q, scheduled by payments' migrations."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from payments import services
from payments.models import UNFINISHED, OnlinePayment
from payments.providers import ProviderError
from payments.settlements import fetch_all_settlements

logger = logging.getLogger(__name__)

# Asked again while unfinished and quiet this long: a webhook may never come (Paystack sends
# none for a failed or abandoned payment), and the payer may never return to our page.
QUIET = datetime.timedelta(minutes=10)
FOLLOWED_FOR = datetime.timedelta(days=2)


def fetch_settlements() -> int:
    """The providers' new payouts, so the bank's transfers of them are recognised."""
    return fetch_all_settlements()


def follow_unfinished_payments() -> int:
    """Ask the providers about the recent online payments still open or pending; how many changed."""
    now = timezone.now()
    unfinished = OnlinePayment.objects.filter(
        status__in=UNFINISHED, created_at__gte=now - FOLLOWED_FOR, updated_at__lte=now - QUIET
    ).select_related("account")
    changed = failed = followed = 0
    for online in unfinished:
        followed += 1
        try:
            changed += services.refresh(online).status != online.status
        except ProviderError as exc:
            logger.warning("could not follow online payment %s: %s", online.pk, exc)
        except Exception:
            # Whatever went wrong with this payment, the others are still owed their follow-up.
            failed += 1
            logger.exception("could not follow online payment %s", online.pk)
    if failed:
        logger.error("%s of %s unfinished online payments could not be followed", failed, followed)
    return changed
