"""Connections to providers, their encrypted credentials, the bank data they feed, sync runs."""

from __future__ import annotations

from integrations.models.banking import BankAccount, BankTransaction, TransactionStatus
from integrations.models.bookings import BookingClaim, ExternalBooking
from integrations.models.connections import Connection, ConnectionStatus, Credential, Provider
from integrations.models.payables import Bill, QuotaUsage
from integrations.models.runs import SyncRun, SyncStatus, SyncTrigger

__all__ = [
    "BankAccount",
    "BankTransaction",
    "Bill",
    "BookingClaim",
    "Connection",
    "ConnectionStatus",
    "Credential",
    "ExternalBooking",
    "Provider",
    "QuotaUsage",
    "SyncRun",
    "SyncStatus",
    "SyncTrigger",
    "TransactionStatus",
]
