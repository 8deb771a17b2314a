from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine

from banking import sources
from core.models import Organization
from dashboards.charts import Context
from dashboards.filters import Filters

# The day the hand-computed figures are computed on.
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def today() -> Iterator[datetime.date]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def context_for(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    *,
    granularity: str = "month",
    currency: str = "EUR",
    today: datetime.date = TODAY,
) -> Context:
    return Context(
        organization_id=organization.pk,
        version=1,
        filters=Filters(start=start, end=end, currency=currency, granularity=granularity, period="custom"),
        accounts=tuple(sources.counted_accounts(organization.pk)),
        today=today,
    )
