"""Yuki as the connection layer sees it: its sync, a new access key to renew, the day's quota."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core.models import Organization
from integrations.models import Connection, Credential, SyncRun
from integrations.yuki.quota import calls_today, quota_domain
from integrations.yuki.sync import YukiSync


class YukiConnector:
    def sync(self, connection: Connection, run: SyncRun) -> None:
        YukiSync(connection, run).sync()

    def revoke(self, connection: Connection, credential: Credential | None) -> str:
        return ""  # the access key is the customer's own: forgetting it is all we can do

    def reauthorisation_url(self, request: HttpRequest, organization: Organization, connection: Connection) -> str:
        return reverse("integrations:yuki_replace_key", args=[connection.pk])

    def page_context(self, connection: Connection) -> dict[str, Any]:
        mine, everyone = calls_today(connection, quota_domain(connection))
        budget = connection.config.get("daily_call_budget") or settings.YUKI_DAILY_CALL_BUDGET
        return {"quota_mine": mine, "quota_domain": everyone, "quota_budget": budget}
