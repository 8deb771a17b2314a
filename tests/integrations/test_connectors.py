"""Every provider has its connector, so the runner, the services and the pages can reach it."""

from __future__ import annotations

import pytest

from integrations.connectors import connector_for
from integrations.models import Provider
from integrations.ponto.connector import PontoConnector
from integrations.yuki.connector import YukiConnector

CONNECTORS = {Provider.PONTO: PontoConnector, Provider.YUKI: YukiConnector}


@pytest.mark.parametrize("provider", list(Provider))
def test_each_provider_has_its_connector(provider: Provider):
    assert isinstance(connector_for(provider), CONNECTORS[provider])


def test_an_unknown_provider_has_no_connector():
    with pytest.raises(LookupError, match="no connector"):
        connector_for("ghost")
