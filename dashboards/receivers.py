"""The dashboards follow every write that changes their figures."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dashboards import categories, reconciliation, recurring, rollups
from dashboards.state import bump
from integrations.models import BankAccount, Bill, Connection, SyncRun
from integrations.signals import bank_data_changed, sync_finished, transactions_saved, transactions_saving
from invoices.models import Client, CreditNote, Invoice, Payment


@receiver(transactions_saving)
def categorize_transactions(sender: Any, organization_id: int, rows: list[Any], **kwargs: Any) -> None:
    categories.categorize(organization_id, rows)


@receiver(transactions_saved)
def refresh_rollups(sender: Any, organization_id: int, account_days: set[Any], **kwargs: Any) -> None:
    rollups.refresh(organization_id, account_days)


@receiver(bank_data_changed)
def bank_data_written(sender: Any, organization_id: int, **kwargs: Any) -> None:
    bump(organization_id)


@receiver(sync_finished)
def after_sync(sender: Any, connection: Connection, run: SyncRun, **kwargs: Any) -> None:
    try:
        reconciliation.reconcile(connection.organization_id)
        recurring.detect(connection.organization_id)
    finally:  # whatever the sync and these wrote, the figures must not be served stale
        bump(connection.organization_id)


def billing_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    bump(instance.organization_id)


for model in (Invoice, Payment, CreditNote, Client, Bill, BankAccount):
    post_save.connect(billing_written, sender=model, dispatch_uid=f"dashboards-bump-{model.__name__}-save")
    post_delete.connect(billing_written, sender=model, dispatch_uid=f"dashboards-bump-{model.__name__}-delete")
