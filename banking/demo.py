"""Category rules for the demo organisation, matching the Ponto sandbox's demo bank data."""

from __future__ import annotations

from decimal import Decimal

from banking.categories import recategorize
from banking.models import CategoryRule, RuleField, RuleOperator
from core.models import Organization

# (category, field, operator, value, amount from, amount to), tried in this order: the specific
# flows of the sandbox's bank data first, then its customers' and suppliers' transfers, so that
# almost no demo transaction is left uncategorised.
DEMO_RULES = [
    ("Salaries", RuleField.REMITTANCE, RuleOperator.CONTAINS, "Loon ", None, Decimal("0")),
    ("Rent", RuleField.REMITTANCE, RuleOperator.CONTAINS, "Huur kantoor", None, None),
    ("Taxes", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "FOD Financiën", None, None),
    ("Bank fees", RuleField.REMITTANCE, RuleOperator.CONTAINS, "Beheerskosten", None, None),
    ("Interest", RuleField.REMITTANCE, RuleOperator.CONTAINS, "Intrest ", Decimal("0.01"), None),
    ("Internal transfers", RuleField.REMITTANCE, RuleOperator.EQUALS, "Naar spaarrekening", None, None),
    ("Internal transfers", RuleField.REMITTANCE, RuleOperator.EQUALS, "Reserve", None, None),
    ("Telecom & software", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Proximus", None, None),
    ("Telecom & software", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Telenet", None, None),
    ("Telecom & software", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Microsoft", None, None),
    ("Telecom & software", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Adobe", None, None),
    ("Insurance & HR services", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Securex", None, None),
    ("Insurance & HR services", RuleField.COUNTERPART_NAME, RuleOperator.CONTAINS, "Ethias", None, None),
    ("Supplier refunds", RuleField.REMITTANCE, RuleOperator.CONTAINS, "Creditnota", Decimal("0.01"), None),
    ("Customer payments", RuleField.REMITTANCE, RuleOperator.CONTAINS, "+++", Decimal("0.01"), None),
    ("Customer payments", "", RuleOperator.CONTAINS, "", Decimal("0.01"), None),
    ("Small purchases", "", RuleOperator.CONTAINS, "", Decimal("-250.00"), Decimal("-0.01")),
    ("Suppliers", "", RuleOperator.CONTAINS, "", None, Decimal("-250.01")),
]


def seed_rules(organization: Organization) -> int:
    """Create the demo rules once; returns how many were created."""
    if CategoryRule.objects.filter(organization=organization).exists():
        return 0
    CategoryRule.objects.bulk_create(
        CategoryRule(
            organization=organization,
            position=position,
            category=category,
            field=field,
            operator=operator,
            value=value,
            amount_min=low,
            amount_max=high,
        )
        for position, (category, field, operator, value, low, high) in enumerate(DEMO_RULES)
    )
    recategorize(organization.pk)
    return len(DEMO_RULES)
