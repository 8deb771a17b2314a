from __future__ import annotations

from django import forms

from banking.models import CategoryRule


class CategoryRuleForm(forms.ModelForm[CategoryRule]):
    class Meta:
        model = CategoryRule
        fields = ["category", "field", "operator", "value", "amount_min", "amount_max"]
        labels = {"field": "When", "value": "Text", "operator": ""}
        help_texts = {"category": "Transactions matching this rule are put in this category."}
