"""Counting calls against Yuki's daily quota, and stopping well inside it.

Yuki allows 1,000 calls a day per domain, shared with every other integration of that domain,
so each connection also keeps to a smaller daily budget of its own.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from integrations.models import Connection, Provider, QuotaUsage
from integrations.yuki.soap import QUOTA_ZONE, QuotaExceeded, seconds_until_quota_reset


def quota_day(now: datetime.datetime | None = None) -> datetime.date:
    return (now or timezone.now()).astimezone(QUOTA_ZONE).date()


def quota_domain(connection: Connection) -> str:
    """The Yuki domain whose quota the connection's calls count against."""
    return str(connection.config.get("domain_id") or connection.config.get("administration_id") or connection.pk)


def calls_today(connection: Connection, domain: str) -> tuple[int, int]:
    """(calls by this connection, calls by all our connections on the domain) today."""
    usage = QuotaUsage.objects.filter(provider=Provider.YUKI, domain=domain, day=quota_day())
    mine = usage.filter(connection=connection).aggregate(n=Sum("calls"))["n"] or 0
    everyone = usage.aggregate(n=Sum("calls"))["n"] or 0
    return int(mine), int(everyone)


def count_call(connection: Connection, domain: str) -> None:
    """Count one call, or raise QuotaExceeded before it is made when a limit is reached."""
    budget = int(connection.config.get("daily_call_budget") or settings.YUKI_DAILY_CALL_BUDGET)
    with transaction.atomic():
        usage, _ = QuotaUsage.objects.select_for_update().get_or_create(
            provider=Provider.YUKI, domain=domain, connection=connection, day=quota_day()
        )
        domain_calls = (
            QuotaUsage.objects.filter(provider=Provider.YUKI, domain=domain, day=usage.day).aggregate(n=Sum("calls"))[
                "n"
            ]
            or 0
        )
        if usage.calls >= budget or domain_calls >= settings.YUKI_DOMAIN_DAILY_LIMIT:
            raise QuotaExceeded(
                f"Today's budget of Yuki calls is used ({usage.calls} of {budget} for this connection, "
                f"{domain_calls} for the domain); the sync resumes after midnight.",
                retry_after=seconds_until_quota_reset() + 60,
            )
        QuotaUsage.objects.filter(pk=usage.pk).update(calls=F("calls") + 1)
