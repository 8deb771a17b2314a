"""Ponto Connect's account-information API: JSON:API resources, newest-first cursor pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
from django.conf import settings

from integrations.errors import TransientError
from integrations.http import ResilientClient, RetryPolicy, json_parser
from integrations.models import Connection
from integrations.ponto import tokens
from integrations.ponto.errors import classify
from integrations.ponto.oauth import client_certificate
from integrations.read_ahead import read_ahead

PAGE_LIMIT = 100
JSON_API = "application/vnd.api+json"


class PontoClient:
    """Calls for one connection; with `token` (a consent's fresh access token) for no connection yet."""

    def __init__(
        self,
        connection: Connection | None,
        *,
        policy: RetryPolicy | None = None,
        token: tokens.AccessToken | None = None,
    ) -> None:
        if connection is None and token is None:
            raise ValueError("a Ponto client needs a connection or an access token")
        self.connection = connection
        self._token: tokens.AccessToken | None = token
        self.http = ResilientClient(
            httpx.Client(
                base_url=settings.PONTO_API_URL + "/",
                timeout=settings.PONTO_TIMEOUT_SECONDS,
                cert=client_certificate(),
                headers={"Accept": JSON_API},
            ),
            parse=json_parser(classify),
            policy=policy or RetryPolicy.from_settings(),
        )

    def __enter__(self) -> PontoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.client.close()

    @property
    def request_ids(self) -> list[str]:
        return self.http.request_ids

    def _keep_token_fresh(self) -> None:
        # Reuse the token while it is comfortably valid: a locked read of the credential per
        # request cost a twentieth of a large sync.
        if self.connection is not None and (self._token is None or not self._token.fresh()):
            self._token = tokens.access_token_until(self.connection)

    def _authorization(self, *, refresh: bool = True) -> dict[str, str]:
        if refresh:
            self._keep_token_fresh()
        assert self._token is not None  # the constructor guarantees a connection or a token
        return {"Authorization": f"Bearer {self._token.token}"}

    def _get(self, path_or_url: str, *, refresh: bool = True, **params: Any) -> Any:
        headers = self._authorization(refresh=refresh)
        return self.http.request("GET", path_or_url, params=params or None, headers=headers).data

    def userinfo(self) -> dict[str, Any]:
        info = self._get("userinfo")
        if not isinstance(info, dict):
            raise TransientError("Ponto's userinfo is not a JSON object.")
        return info

    def accounts(self) -> list[dict[str, Any]]:
        return self._all("accounts")

    def pending_transactions(self, account_id: str) -> list[dict[str, Any]]:
        return self._all(f"accounts/{account_id}/pending-transactions")

    def transaction_pages(self, account_id: str) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Booked transactions, newest first: (a page, whether more pages follow). The next page
        is requested while the caller writes this one; the token is refreshed in the caller's
        thread, which holds the database connection."""
        pages = self._pages(f"accounts/{account_id}/transactions", refresh=False)
        return read_ahead(pages, before_each=self._keep_token_fresh, name="ponto-pages")

    def create_synchronization(
        self, account_id: str, subtype: str, idempotency_key: uuid.UUID | None = None
    ) -> dict[str, Any]:
        """Ask Ponto to synchronize the account with the bank. The idempotency key makes a retried
        request (ours or a later run's, with the same key) return the same synchronization."""
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
        headers = {
            **self._authorization(),
            "Content-Type": JSON_API,
            "Ibanity-Idempotency-Key": str(idempotency_key or uuid.uuid4()),
        }
        return _resource(self.http.request("POST", "synchronizations", json=body, headers=headers).data)

    def synchronization(self, synchronization_id: str) -> dict[str, Any]:
        return _resource(self._get(f"synchronizations/{synchronization_id}"))

    def updated_transaction_pages(self, synchronization_id: str) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """The transactions a synchronization created or updated, a page at a time."""
        return self._pages(f"synchronizations/{synchronization_id}/updated-transactions")

    def _all(self, path: str) -> list[dict[str, Any]]:
        return [item for page, _ in self._pages(path) for item in page]

    def _pages(self, path: str, *, refresh: bool = True) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        document = self._get(path, refresh=refresh, **{"page[limit]": PAGE_LIMIT})
        while True:
            items = _collection(document)
            next_url = (document.get("links") or {}).get("next")
            if next_url is not None and not isinstance(next_url, str):
                raise TransientError("Ponto sent a page whose next link is not a URL.")
            yield items, bool(next_url)
            if not next_url:
                return
            # Follow the provider's own link verbatim: it carries the cursor.
            document = self._get(next_url, refresh=refresh)


def _is_resource(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str) and bool(item["id"])


def _collection(document: Any) -> list[dict[str, Any]]:
    """The resources of a collection page; a page that is not one is a fault worth retrying."""
    items = document.get("data") if isinstance(document, dict) else None
    if not isinstance(items, list) or not all(_is_resource(item) for item in items):
        raise TransientError("Ponto sent a page that is not a list of resources with ids.")
    if not isinstance(document.get("links") or {}, dict):
        raise TransientError("Ponto sent a page whose links are not an object.")
    return items


def _resource(document: Any) -> dict[str, Any]:
    resource = document.get("data") if isinstance(document, dict) else None
    if not isinstance(resource, dict) or not _is_resource(resource) or not isinstance(resource.get("attributes"), dict):
        raise TransientError("Ponto sent a document without a resource.")
    return resource
