"""Ponto as the connection layer sees it: its sync, revoking the integration, renewing consent."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext

from core.models import Organization
from integrations.errors import ProviderError
from integrations.models import Connection, Credential, SyncRun
from integrations.ponto import oauth
from integrations.ponto.consent import begin_ponto_consent
from integrations.ponto.sync import PontoSync


class PontoConnector:
    def sync(self, connection: Connection, run: SyncRun) -> None:
        PontoSync(connection, run).sync()

    def revoke(self, connection: Connection, credential: Credential | None) -> str:
        if credential is None or not credential.refresh_token:
            return ""
        try:
            oauth.revoke(str(credential.refresh_token))
        except ProviderError as exc:
            return gettext(
                "Ponto did not confirm the revocation (%(reason)s); revoke the integration in Ponto too."
            ) % {"reason": exc.message}
        return ""

    def reauthorisation_url(self, request: HttpRequest, organization: Organization, connection: Connection) -> str:
        return begin_ponto_consent(request, organization, connection)

    def page_context(self, connection: Connection) -> dict[str, Any]:
        return {}
