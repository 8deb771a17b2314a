"""The API checks what it is sent with the same forms as the screens, so a rule lives in one place:
a serializer gives the shape and the documentation, the form the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from api.errors import WHOLE_REQUEST
from api.models import Scope


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        WHOLE_REQUEST if field == "__all__" else field: [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


def clean_with(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or a 400 with its errors field by field."""
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return dict(form.cleaned_data)


def form_data(fields: list[str], values: dict[str, Any], instance: Model) -> dict[str, Any]:
    """What a browser would post: the instance's values (a partial update keeps what it leaves out,
    a new object starts from the model's defaults), overwritten by the request's; None as empty."""
    data = model_to_dict(instance, fields=fields)
    data.update({key: value for key, value in values.items() if key in fields})
    return {key: "" if value is None else value for key, value in data.items()}


class ApiKeyForm(forms.Form):
    """A new key: what it is for, what it may do, how long it lives."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “Bookkeeping export” or “n8n”.")
    )
    scope = forms.ChoiceField(label=_("Access"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect)
    lifetime = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[("30", _("after 30 days")), ("90", _("after 90 days")), ("365", _("after a year")), ("", _("never"))],
        initial="90",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + datetime.timedelta(days=days) if days else None
