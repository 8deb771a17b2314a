"""Categorising bank transactions by the organisation's rules: the first matching rule wins."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_q.tasks import async_task

from dashboards import rollups
from dashboards.models import CategoryRule
from dashboards.state import bump
from integrations.models import BankTransaction


def rules_for(organization_id: int) -> list[CategoryRule]:
    return list(CategoryRule.objects.filter(organization_id=organization_id).order_by("position", "pk"))


def category_of(transaction: BankTransaction, rules: Iterable[CategoryRule]) -> str:
    for rule in rules:
        if rule.matches(transaction):
            return rule.category
    return ""


def categorize(organization_id: int, rows: Iterable[BankTransaction]) -> None:
    """Set `category` on rows about to be written (called from the sync's write path)."""
    rules = rules_for(organization_id)
    for row in rows:
        row.category = category_of(row, rules)


@transaction.atomic
def recategorize(organization_id: int) -> None:
    """Apply the rules to every transaction of the organisation again, and rebuild the daily rollups.

    One UPDATE per rule, each excluding what earlier rules match, so each row is written once
    and the first matching rule wins, as in `category_of`.
    """
    transactions = BankTransaction.objects.filter(organization_id=organization_id)
    earlier = Q(pk__in=[])
    for rule in rules_for(organization_id):
        condition = rule.as_q()
        transactions.filter(condition).exclude(earlier).exclude(category=rule.category).update(category=rule.category)
        earlier |= condition
    transactions.exclude(earlier).exclude(category="").update(category="")
    rollups.rebuild_daily(organization_id)
    bump(organization_id)


def rules_changed(organization_id: int) -> bool:
    """Re-apply the rules now, or in the background for a large history. True when done now."""
    count = BankTransaction.objects.filter(organization_id=organization_id).count()
    if count <= settings.DASHBOARD_INLINE_RECATEGORIZE_ROWS:
        recategorize(organization_id)
        return True
    transaction.on_commit(lambda: async_task("dashboards.tasks.recategorize", organization_id))
    return False
