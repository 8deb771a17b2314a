"""Connections to providers, their encrypted credentials, sync runs, bookings and quota usage."""

from __future__ import annotations

from integrations.models.bookings import BookingClaim, ExternalBooking
from integrations.models.connections import Connection, ConnectionStatus, Credential, Provider
from integrations.models.quota import QuotaUsage
from integrations.models.runs import SyncRun, SyncStatus, SyncTrigger

__all__ = [
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
]
