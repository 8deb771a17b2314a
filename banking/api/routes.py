"""The banking app's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

from banking.api.accounts import BankAccountViewSet
from banking.api.bills import BillViewSet
from banking.api.reconciliation import MatchViewSet
from banking.api.transactions import TransactionViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("bank-accounts", BankAccountViewSet, "bank-account"),
    ("transactions", TransactionViewSet, "transaction"),
    ("bills", BillViewSet, "bill"),
    ("reconciliation", MatchViewSet, "match"),
]
