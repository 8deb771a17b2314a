"""Signals other apps listen to, sent after the change they announce is committed."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `invoice` once an invoice is marked sent (and committed).
invoice_sent = Signal()
