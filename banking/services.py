"""Changing categories by hand and the category rules: atomic, audited, and applied to the
existing transactions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest

from banking.categories import UPDATE_BATCH, rules_changed
from banking.models import BankTransaction, CategoryRule
from banking.models.accounts import BankTransactionQuerySet
from core.audit import record_event
from core.models import Organization, User
from dashboards import rollups
from dashboards.state import bump

# How many rows one categorising may change; the screen shows pages of 50.
MAX_CATEGORIZED = 500
PREVIEW_EXAMPLES = 5

RULE_FIELDS = ["position", "category", "field", "operator", "value", "amount_min", "amount_max"]


def _snapshot(rule: CategoryRule) -> dict[str, object]:
    return {name: str(getattr(rule, name)) if getattr(rule, name) is not None else None for name in RULE_FIELDS}


@transaction.atomic
def save_rule(
    rule: CategoryRule, *, organization: Organization, actor: User, request: HttpRequest | None = None
) -> bool:
    """Create or change a rule; True when the existing transactions were re-categorised at once."""
    before = None
    if rule._state.adding:
        rule.organization = organization
        last = CategoryRule.objects.filter(organization=organization).aggregate(last=Max("position"))["last"]
        rule.position = 0 if last is None else last + 1
    else:
        before = _snapshot(CategoryRule.objects.select_for_update().get(pk=rule.pk, organization=organization))
    rule.full_clean()
    rule.save()
    record_event(
        "category_rule.created" if before is None else "category_rule.changed",
        request=request,
        actor=actor,
        organization=organization,
        target=rule,
        before=before,
        after=_snapshot(rule),
    )
    return rules_changed(organization.pk)


@transaction.atomic
def delete_rule(rule: CategoryRule, *, actor: User, request: HttpRequest | None = None) -> bool:
    before = _snapshot(rule)
    organization_id = rule.organization_id
    record_event(
        "category_rule.deleted",
        request=request,
        actor=actor,
        organization=rule.organization,
        target=rule,
        before=before,
    )
    rule.delete()
    return rules_changed(organization_id)


@transaction.atomic
def move_rule(rule: CategoryRule, offset: int, *, actor: User, request: HttpRequest | None = None) -> bool:
    """Move a rule up (-1) or down (+1) in the order; positions are renumbered 0, 1, 2, ..."""
    rules = list(CategoryRule.objects.select_for_update().filter(organization_id=rule.organization_id))
    order = [r.pk for r in rules]
    index = order.index(rule.pk)
    target = min(max(index + offset, 0), len(order) - 1)
    if target == index:
        return False
    order.insert(target, order.pop(index))
    by_pk = {r.pk: r for r in rules}
    for position, pk in enumerate(order):
        by_pk[pk].position = position
    CategoryRule.objects.bulk_update(rules, ["position"])
    record_event(
        "category_rule.moved",
        request=request,
        actor=actor,
        organization=rule.organization,
        target=rule,
        before={"position": index},
        after={"position": target},
    )
    return rules_changed(rule.organization_id)


# --- categorising transactions by hand -------------------------------------------------------


def _refresh_days(organization_id: int, account_days: Iterable[tuple[int, datetime.date | None]]) -> None:
    rollups.refresh(organization_id, {(account, day) for account, day in account_days if day})
    bump(organization_id)


@transaction.atomic
def categorize_transactions(
    organization: Organization,
    ids: Iterable[int],
    category: str,
    *,
    actor: User,
    request: HttpRequest | None = None,
) -> int:
    """Put the organisation's transactions among `ids` in `category` (blank: uncategorised), by
    hand, so rules applied later leave them; ids of other organisations' rows are ignored.
    Returns how many changed; one audit event per transaction, with its category before."""
    wanted = sorted(set(ids))[:MAX_CATEGORIZED]
    rows = list(
        BankTransaction.objects.filter(organization=organization, pk__in=wanted)
        .select_for_update()
        .only("pk", "account_id", "execution_date", "category", "categorized_by_hand", "amount", "currency")
        .order_by("pk")
    )
    changed = [row for row in rows if row.category != category or not row.categorized_by_hand]
    if not changed:
        return 0
    BankTransaction.objects.filter(pk__in=[row.pk for row in changed]).update(
        category=category, categorized_by_hand=True
    )
    for row in changed:
        record_event(
            "bank_transaction.categorized",
            request=request,
            actor=actor,
            organization=organization,
            target=row,
            before={"category": row.category},
            after={"category": category},
        )
    _refresh_days(organization.pk, ((row.account_id, row.execution_date) for row in changed))
    return len(changed)


# --- a rule from a transaction: preview, then apply ------------------------------------------


@dataclass(frozen=True)
class RulePreview:
    """What a new rule would change in the history: how many rows, and a few of them."""

    count: int
    examples: list[BankTransaction]


def rule_changes(rule: CategoryRule) -> BankTransactionQuerySet:
    """The transactions a new rule, tried first, would move into its category: those it matches
    that are in another category and were not categorised by hand."""
    return (
        BankTransaction.objects.filter(organization_id=rule.organization_id, categorized_by_hand=False)
        .filter(rule.as_q())
        .exclude(category=rule.category)
    )


def preview_rule(rule: CategoryRule) -> RulePreview:
    changes = rule_changes(rule)
    return RulePreview(changes.count(), list(changes.select_related("account").newest_first()[:PREVIEW_EXAMPLES]))


@transaction.atomic
def apply_new_rule(
    rule: CategoryRule, *, organization: Organization, actor: User, request: HttpRequest | None = None
) -> int:
    """Create the rule first in the order (it was made for these transactions, so it wins over
    broader ones) and move the history it matches into its category, exactly the rows
    `preview_rule` counted; returns how many. Audited: the rule, and the recategorising."""
    rule.organization = organization
    rule.position = 0
    rule.full_clean()
    CategoryRule.objects.filter(organization=organization).update(position=F("position") + 1)
    rule.save()
    changes = list(rule_changes(rule).select_for_update().values_list("pk", "account_id", "execution_date"))
    pks = [pk for pk, _, _ in changes]
    for start in range(0, len(pks), UPDATE_BATCH):
        BankTransaction.objects.filter(pk__in=pks[start : start + UPDATE_BATCH]).update(category=rule.category)
    record_event(
        "category_rule.created",
        request=request,
        actor=actor,
        organization=organization,
        target=rule,
        after=_snapshot(rule),
    )
    record_event(
        "category_rule.applied",
        request=request,
        actor=actor,
        organization=organization,
        target=rule,
        after={"category": rule.category, "transactions": len(pks), "sample": pks[:20]},
    )
    _refresh_days(organization.pk, ((account, day) for _, account, day in changes))
    return len(pks)
