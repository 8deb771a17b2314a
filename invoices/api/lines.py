"""Document lines in the API: their shape, and their check by the line formset of the document
editors (invoices.forms), which a browser's post of the same lines would go through."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.forms import form_errors
from invoices.forms import BaseLineFormSet
from invoices.models.lines import LineItem
from invoices.services.common import Line
from invoices.vat import VatCategory, rate_key

PREFIX = "lines"
INPUT_FIELDS = ("description", "quantity", "unit_price", "vat_rate", "vat_category", "vat_exemption_reason")


def _decimal(**kwargs: Any) -> serializers.DecimalField:
    # No bounds here: the line form's own fields say what a quantity or a price may be.
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class LineSerializer(serializers.Serializer[LineItem]):
    description = serializers.CharField()
    quantity = _decimal()
    unit_price = _decimal()
    vat_rate = _decimal(help_text="A rate offered in the organisation's country, e.g. 21, 12, 6 or 0 in Belgium.")
    vat_category = serializers.ChoiceField(
        choices=VatCategory.choices,
        required=False,
        allow_blank=True,
        help_text="Left out: standard above 0 %, the zero rate at 0 %.",
    )
    vat_exemption_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why no VAT is charged (exempt lines must say)."
    )
    net_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    vat_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    gross_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class DeliveredLineSerializer(LineSerializer):
    unit_price = _decimal(required=False, help_text="Left out: 0.00 (a delivery note may carry no prices).")


def _choice(rate: Decimal) -> str:
    """The rate as the form's choice ("21" for 21.00); a rate no choice could be stays as typed
    (a huge exponent written out would be megabytes of digits)."""
    return rate_key(rate) if Decimal(0) <= rate <= Decimal(100) else str(rate)


def posted_lines(lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The lines as the editor's formset receives them from a browser ("lines-0-quantity", …)."""
    data: dict[str, Any] = {f"{PREFIX}-TOTAL_FORMS": str(len(lines)), f"{PREFIX}-INITIAL_FORMS": "0"}
    for index, line in enumerate(lines):
        for name in INPUT_FIELDS:
            value = line.get(name, "")
            data[f"{PREFIX}-{index}-{name}"] = _choice(value) if name == "vat_rate" else value
    return data


def stored_lines(items: Sequence[LineItem] | Sequence[Line]) -> list[dict[str, Any]]:
    """Lines already written (a document's, or those a credit note starts from) as input again."""
    return [{name: getattr(item, name) for name in INPUT_FIELDS} for item in items]


def formset_errors(formset: BaseLineFormSet) -> dict[str, Any]:
    """`{"lines": [{field: messages} per line]}` (flattened to `lines.0.quantity` in the answer), or
    the formset's own errors (no line, too many) under `lines`."""
    per_line = [{name: list(messages) for name, messages in form.errors.items()} for form in formset.forms]
    if any(per_line):
        return {PREFIX: per_line}
    return {PREFIX: list(formset.non_form_errors())}


def checked(form: forms.BaseForm, formset: BaseLineFormSet) -> list[Line]:
    """The document's lines once its form and its lines' formset accept them; a 400 with the
    errors of both otherwise."""
    errors = {} if form.is_valid() else form_errors(form)
    if not formset.is_valid():
        errors |= formset_errors(formset)
    if errors:
        raise ValidationError(errors)
    return formset.lines()
