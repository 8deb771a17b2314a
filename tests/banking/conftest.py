"""Fixtures of other test packages that the banking tests use too."""

from __future__ import annotations

from tests.integrations.ponto.conftest import ponto, sandbox_size  # noqa: F401 - fixtures
from tests.integrations.test_unexpected_failures import sentry  # noqa: F401 - a fixture
