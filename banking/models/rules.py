from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_number
from core.models import TenantModel
from core.validators import normalize_iban


class RuleField(models.TextChoices):
    COUNTERPART_NAME = "counterpart_name", _("Counterpart name")
    COUNTERPART_IBAN = "counterpart_iban", _("Counterpart IBAN")
    REMITTANCE = "remittance_information", _("Remittance text")


class RuleOperator(models.TextChoices):
    CONTAINS = "contains", _("contains")
    EQUALS = "equals", _("equals")


class CategoryRule(TenantModel):
    """Puts matching bank transactions in a category. Rules are tried by position; the first match wins."""

    position = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=64)
    field = models.CharField(max_length=32, choices=RuleField.choices, blank=True)
    operator = models.CharField(max_length=8, choices=RuleOperator.choices, default=RuleOperator.CONTAINS)
    value = models.CharField(max_length=200, blank=True)
    amount_min = models.DecimalField(
        _("amount from"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Signed: money out is negative."),
    )
    amount_max = models.DecimalField(_("amount to"), max_digits=16, decimal_places=2, null=True, blank=True)
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
            raise ValidationError({"category": gettext("Name the category.")})
        if bool(self.field) != bool(self.value):
            raise ValidationError({"value": gettext("Give both the field and the text to look for, or neither.")})
        if not self.field and self.amount_min is None and self.amount_max is None:
            raise ValidationError(gettext("A rule needs a condition: a text to look for, an amount range, or both."))
        if self.amount_min is not None and self.amount_max is not None and self.amount_min > self.amount_max:
            raise ValidationError({"amount_max": gettext("The upper bound is below the lower bound.")})

    def describe(self) -> str:
        """The rule's condition in the active language, its amounts written that language's way."""
        text, amount = self._text_condition(), self._amount_condition()
        if text and amount:
            return gettext("%(text)s and %(amount)s") % {"text": text, "amount": amount}
        return text or amount

    def _text_condition(self) -> str:
        if not self.field:
            return ""
        words = {"field": self.get_field_display(), "value": self.value}
        if self.operator == RuleOperator.EQUALS:
            return gettext("%(field)s is exactly “%(value)s”") % words
        return gettext("%(field)s contains “%(value)s”") % words

    def _amount_condition(self) -> str:
        low = None if self.amount_min is None else format_number(self.amount_min, 2)
        high = None if self.amount_max is None else format_number(self.amount_max, 2)
        if low is not None and high is not None:
            return gettext("amount from %(low)s to %(high)s") % {"low": low, "high": high}
        if low is not None:
            return gettext("amount from %(low)s") % {"low": low}
        if high is not None:
            return gettext("amount up to %(high)s") % {"high": high}
        return ""

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
