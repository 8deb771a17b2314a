from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.models import TenantModel
from core.validators import normalize_iban


class RuleField(models.TextChoices):
    COUNTERPART_NAME = "counterpart_name", "Counterpart name"
    COUNTERPART_IBAN = "counterpart_iban", "Counterpart IBAN"
    REMITTANCE = "remittance_information", "Remittance text"


class RuleOperator(models.TextChoices):
    CONTAINS = "contains", "contains"
    EQUALS = "equals", "equals"


class CategoryRule(TenantModel):
    """Puts matching bank transactions in a category. Rules are tried by position; the first match wins."""

    position = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=64)
    field = models.CharField(max_length=32, choices=RuleField.choices, blank=True)
    operator = models.CharField(max_length=8, choices=RuleOperator.choices, default=RuleOperator.CONTAINS)
    value = models.CharField(max_length=200, blank=True)
    amount_min = models.DecimalField(
        "amount from",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Signed: money out is negative.",
    )
    amount_max = models.DecimalField("amount to", max_digits=16, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "dashboards_categoryrule"  # its name before the move to this app
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["organization", "position"], name="category_rule_order")]

    def __str__(self) -> str:
        return f"{self.category}: {self.describe()}"

    def clean(self) -> None:
        self.category = self.category.strip()
        self.value = self.value.strip()
        if self.field == RuleField.COUNTERPART_IBAN:
            self.value = normalize_iban(self.value)
        if not self.category:
            raise ValidationError({"category": "Name the category."})
        if bool(self.field) != bool(self.value):
            raise ValidationError({"value": "Give both the field and the text to look for, or neither."})
        if not self.field and self.amount_min is None and self.amount_max is None:
            raise ValidationError("A rule needs a condition: a text to look for, an amount range, or both.")
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise ValidationError({"amount_max": "The upper bound is below the lower bound."})

    def describe(self) -> str:
        parts = []
        if self.field:
            parts.append(f"{self.get_field_display().lower()} {self.operator} “{self.value}”")
        if self.amount_min is not None or self.amount_max is not None:
            low = "…" if self.amount_min is None else f"{self.amount_min}"
            high = "…" if self.amount_max is None else f"{self.amount_max}"
            parts.append(f"amount {low} to {high}")
        return " and ".join(parts)

    def as_q(self) -> Q:
        """The rule as a filter on BankTransaction (case-insensitive)."""
        condition = Q()
        if self.field:
            lookup = "icontains" if self.operator == RuleOperator.CONTAINS else "iexact"
            condition &= Q(**{f"{self.field}__{lookup}": self.value})
        if self.amount_min is not None:
            condition &= Q(amount__gte=self.amount_min)
        if self.amount_max is not None:
            condition &= Q(amount__lte=self.amount_max)
        return condition
