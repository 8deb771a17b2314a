"""Background work of the dashboards (django-q): what the overview needs ready after new data."""

from __future__ import annotations

from django.utils import timezone

from banking.models import BankAccount
from dashboards.filters import FilterForm
from dashboards.open_items import KEEP_SECONDS, compute_open_items, open_items_key
from dashboards.state import remember, remembered, state_for


def precompute_open_items(organization_id: int) -> None:
    """The open items of the organisation's current data version, in every currency its filters
    offer, kept where the overview and the forecast read them: a member's first request after a
    sync or an edit finds them ready. Several bumps in a row queue several runs; every run after
    the first finds them kept and stops."""
    version = state_for(organization_id).data_version
    today = timezone.localdate()
    currencies = {FilterForm.DEFAULTS["currency"]} | set(
        BankAccount.objects.filter(organization_id=organization_id).values_list("currency", flat=True).distinct()
    )
    for currency in sorted(currencies):
        key = open_items_key(organization_id, version, currency)
        if remembered(key) is None:
            remember(key, compute_open_items(organization_id, currency, today), KEEP_SECONDS)
