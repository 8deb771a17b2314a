"""Changing the category rules: atomic, audited, and applied to the existing transactions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from banking.categories import rules_changed
from banking.models import CategoryRule
from core.audit import record_event
from core.models import Organization, User

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
