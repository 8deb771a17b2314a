"""Background jobs run by django-q, scheduled by payments' migrations."""

from __future__ import annotations

from payments.settlements import fetch_all_settlements


def fetch_settlements() -> int:
    """The providers' new payouts, so the bank's transfers of them are recognised."""
    return fetch_all_settlements()
