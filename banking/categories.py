"""Categorising bank transactions by the organisation's rules: the first matching rule wins."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_q.tasks import async_task

from banking.models import BankTransaction, CategoryRule
from dashboards import rollups
from dashboards.state import bump

# Rows updated by one statement: a first sync categorises its whole history, and SQLite caps the
# variables of a statement.
UPDATE_BATCH = 500


def rules_for(organization_id: int) -> list[CategoryRule]:
    return list(CategoryRule.objects.filter(organization_id=organization_id).order_by("position", "pk"))


def categorize_uncategorized(organization_id: int) -> int:
    """Put the organisation's uncategorised transactions (new and changed rows of the syncs since
    the last run, and any a failed run left) in the category of the first rule that matches, and
    refresh the rollups of their days; return how many were categorised.

    The rows a rule catches are locked and only those are updated, so a row another sync commits
    meanwhile is left for the next run rather than categorised without its day's rollup.
    """
    categorised = 0
    with transaction.atomic():
        uncategorized = BankTransaction.objects.filter(
            organization_id=organization_id, category="", categorized_by_hand=False
        )
        earlier = Q(pk__in=[])
        days: set[tuple[int, datetime.date]] = set()
        for rule in rules_for(organization_id):
            condition = rule.as_q()
            caught = list(
                uncategorized.filter(condition)
                .exclude(earlier)
                .select_for_update()
                .values_list("pk", "account_id", "execution_date")
            )
            earlier |= condition
            pks = [pk for pk, _, _ in caught]
            for start in range(0, len(pks), UPDATE_BATCH):
                BankTransaction.objects.filter(pk__in=pks[start : start + UPDATE_BATCH]).update(category=rule.category)
            days |= {(account_id, day) for _, account_id, day in caught if day}
            categorised += len(caught)
        rollups.refresh(organization_id, days)
    return categorised


@transaction.atomic
def recategorize(organization_id: int) -> None:
    """Apply the rules to every transaction of the organisation again, and rebuild the daily rollups.

    One UPDATE per rule, each excluding what earlier rules match, so each row is written once
    and the first matching rule wins, as in `categorize_uncategorized`. A category a person chose
    on the transactions screen stays.
    """
    transactions = BankTransaction.objects.filter(organization_id=organization_id, categorized_by_hand=False)
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
    transaction.on_commit(lambda: async_task("banking.tasks.recategorize", organization_id))
    return False
