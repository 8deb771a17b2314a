"""Forms of the banking pages: category rules, the transactions screen's filters and categorising."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banking.models import BankAccount, CategoryRule, TransactionStatus
from banking.transactions import UNCATEGORISED, TransactionFilters
from core.models import Organization
from core.widgets import LocalDateInput
from integrations.models import Connection
from invoices.forms import decimal_input

CATEGORY_MAX_LENGTH = 64


class CategoryRuleForm(forms.ModelForm[CategoryRule]):
    class Meta:
        model = CategoryRule
        fields = ["category", "field", "operator", "value", "amount_min", "amount_max"]
        # Shown and typed the page's language's way: -1250,50 in Dutch and French (a point works too).
        localized_fields = ["amount_min", "amount_max"]
        widgets = {"amount_min": decimal_input(), "amount_max": decimal_input()}
        labels = {
            "category": _("Category"),
            "field": _("When"),
            "value": _("Text"),
            "operator": "",
            "amount_min": _("Amount from"),
            "amount_max": _("Amount to"),
        }
        help_texts = {
            "category": _("Transactions matching this rule are put in this category."),
            "amount_min": _("Signed: money out is negative."),
        }


class TransactionFilterForm(forms.Form):
    """The transactions screen's GET parameters; `filters()` is what the read side takes."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, IBAN, text, reference or amount")}),
    )
    # Choices checked in Python, not a queryset: an id beyond any integer column is an error, not a query.
    account = forms.TypedMultipleChoiceField(
        label=_("Accounts"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(label=pgettext_lazy("start date", "From"), required=False, widget=LocalDateInput())
    date_to = forms.DateField(label=pgettext_lazy("end date", "To"), required=False, widget=LocalDateInput())
    category = forms.ChoiceField(label=_("Category"), required=False)
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("In and out")), ("in", _("Money in")), ("out", _("Money out"))],
    )
    reconciled = forms.ChoiceField(
        label=_("Reconciled"),
        required=False,
        choices=[("", _("All")), ("yes", _("Reconciled")), ("no", _("Not reconciled"))],
    )
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Booked and pending")), *TransactionStatus.choices]
    )

    def __init__(self, *args: Any, organization: Organization, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["account"].choices = [
            (account.pk, str(account))
            for account in BankAccount.objects.filter(organization=organization).order_by("name", "iban")
        ]
        fields["category"].choices = [
            ("", _("All categories")),
            (UNCATEGORISED, _("Uncategorised")),
            *((name, name) for name in categories),
        ]
        fields["source"].choices = [
            ("", _("All sources")),
            *Connection.objects.filter(organization=organization)
            .order_by("display_name", "pk")
            .values_list("pk", "display_name"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned

    def filters(self) -> TransactionFilters:
        """The valid filters; a field with an error is left out (the page says so beside it)."""
        self.is_valid()  # a field with an error is not in cleaned_data
        data = self.cleaned_data
        return TransactionFilters(
            q=(data.get("q") or "").strip(),
            accounts=tuple(sorted(data.get("account") or [])),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            category=data.get("category") or "",
            direction=data.get("direction") or "",
            reconciled=data.get("reconciled") or "",
            source=data.get("source"),
            status=data.get("status") or "",
        )


class CategorizeForm(forms.Form):
    """One category for one or many transactions; blank leaves them uncategorised."""

    category = forms.CharField(label=_("Category"), required=False, max_length=CATEGORY_MAX_LENGTH)

    def clean_category(self) -> str:
        return str(self.cleaned_data.get("category") or "").strip()


class BulkCategorizeForm(CategorizeForm):
    ids = forms.TypedMultipleChoiceField(
        coerce=int, required=True, error_messages={"required": _("Tick the transactions to categorise first.")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be ticked; ids of another organisation's rows are ignored by the service.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        fields: Any = self.fields
        fields["ids"].choices = [(value, value) for value in raw[:500] if str(value).isdigit() and len(str(value)) < 19]
