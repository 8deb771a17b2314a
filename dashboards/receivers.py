"""The dashboards' data version follows every save of the billing and bank rows their figures read.

Bulk writes send no signal: their writers bump explicitly (banking.ingest, integrations.services,
and banking.pipeline after every sync).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from banking.models import BankAccount, Bill
from dashboards.state import bump
from invoices.models import Client, CreditNote, Invoice, Payment


def billing_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump(instance.organization_id)


for model in (Invoice, Payment, CreditNote, Client, Bill, BankAccount):
    post_save.connect(billing_written, sender=model, dispatch_uid=f"dashboards-bump-{model.__name__}-save")
    post_delete.connect(billing_written, sender=model, dispatch_uid=f"dashboards-bump-{model.__name__}-delete")
