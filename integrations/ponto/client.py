"""Ponto Connect's account-information API: JSON:API resources, newest-first cursor pages."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from integrations.http import ResilientClient, RetryPolicy
from integrations.models import Connection
from integrations.ponto import tokens
from integrations.ponto.errors import classify
from integrations.ponto.oauth import client_certificate

PAGE_LIMIT = 100
JSON_API = "application/vnd.api+json"


class PontoClient:
    def __init__(self, connection: Connection, *, policy: RetryPolicy | None = None) -> None:
        self.connection = connection
        self._token: tuple[str, datetime.datetime] | None = None
        self.http = ResilientClient(
            httpx.Client(
                base_url=settings.PONTO_API_URL + "/",
                timeout=settings.PONTO_TIMEOUT_SECONDS,
                cert=client_certificate(),
                headers={"Accept": JSON_API},
            ),
            classify=classify,
            policy=policy or RetryPolicy.from_settings(),
        )

    def __enter__(self) -> PontoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.client.close()

    @property
    def request_ids(self) -> list[str]:
        return self.http.request_ids

    def _authorization(self) -> dict[str, str]:
        # Reuse the token while it is comfortably valid: a locked read of the credential per
        # request cost a twentieth of a large sync.
        if self._token is None or self._token[1] - timezone.now() <= tokens.REFRESH_MARGIN:
            self._token = tokens.access_token_until(self.connection)
        return {"Authorization": f"Bearer {self._token[0]}"}

    def _get(self, path_or_url: str, **params: Any) -> Any:
        return self.http.request("GET", path_or_url, params=params or None, headers=self._authorization()).data

    def userinfo(self) -> dict[str, Any]:
        return dict(self._get("userinfo"))

    def accounts(self) -> list[dict[str, Any]]:
        return self._all("accounts")

    def pending_transactions(self, account_id: str) -> list[dict[str, Any]]:
        return self._all(f"accounts/{account_id}/pending-transactions")

    def transaction_pages(self, account_id: str) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Booked transactions, newest first: (a page, whether more pages follow)."""
        return self._pages(f"accounts/{account_id}/transactions")

    def create_synchronization(self, account_id: str, subtype: str) -> dict[str, Any]:
        body = {
            "data": {
                "type": "synchronization",
                "attributes": {
                    "resourceType": "account",
                    "resourceId": account_id,
                    "subtype": subtype,
                    # Required by Ponto; a scheduled sync has no customer, so it gives our own address.
                    "customerIpAddress": settings.PONTO_CUSTOMER_IP_ADDRESS,
                },
            }
        }
        headers = {**self._authorization(), "Content-Type": JSON_API}
        return dict(self.http.request("POST", "synchronizations", json=body, headers=headers).data["data"])

    def synchronization(self, synchronization_id: str) -> dict[str, Any]:
        return dict(self._get(f"synchronizations/{synchronization_id}")["data"])

    def updated_transactions(self, synchronization_id: str) -> list[dict[str, Any]]:
        return self._all(f"synchronizations/{synchronization_id}/updated-transactions")

    def _all(self, path: str) -> list[dict[str, Any]]:
        return [item for page, _ in self._pages(path) for item in page]

    def _pages(self, path: str) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        document = self._get(path, **{"page[limit]": PAGE_LIMIT})
        while True:
            next_url = (document.get("links") or {}).get("next")
            yield list(document.get("data") or []), bool(next_url)
            if not next_url:
                return
            # Follow the provider's own link verbatim: it carries the cursor.
            document = self._get(next_url)
