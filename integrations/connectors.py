"""What the generic connection layer asks of a provider, answered by the provider's connector.

Each provider's app registers its connector when Django starts (its `AppConfig.ready`), so the
runner, the services and the connection pages reach Ponto and Yuki through `connector_for`
and never import a provider's package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest

    from core.models import Organization
    from integrations.models import Connection, Credential, SyncRun


class Connector(Protocol):
    def sync(self, connection: Connection, run: SyncRun) -> None:
        """Fetch the provider's data into our rows, counting on `run`; a ProviderError on failure."""

    def revoke(self, connection: Connection, credential: Credential | None) -> str:
        """End the link at the provider (best effort) with the credentials it had (already
        forgotten here): a warning for the user when that failed."""

    def reauthorisation_url(self, request: HttpRequest, organization: Organization, connection: Connection) -> str:
        """Where the user renews the connection's consent or key."""

    def page_context(self, connection: Connection) -> dict[str, Any]:
        """What the connection's page shows of this provider beyond every connection's fields."""


_connectors: dict[str, Connector] = {}


def register(provider: str, connector: Connector) -> None:
    _connectors[provider] = connector


def connector_for(provider: str) -> Connector:
    try:
        return _connectors[provider]
    except KeyError:
        raise LookupError(f"no connector is registered for the provider {provider!r}") from None
