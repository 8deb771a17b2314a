"""Forms for sign-up, organisations, members and the audit log filters."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import services
from core.formatting import format_date
from core.models import Membership, Role, User
from core.widgets import LocalDateInput


class SignupForm(forms.Form):
    """allauth's sign-up form gains the organisation the new user will own."""

    organization_name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        required=False,
        help_text=_(
            "Your company or team. You can invite colleagues to it later. "
            "Leave it empty if you were invited to join an organisation."
        ),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        # Without a name the user has no organisation yet: they accept an invitation, or are
        # asked to create one on their first page.
        name = str(self.cleaned_data.get("organization_name") or "").strip()
        if name:
            services.create_organization(name, owner=user, request=request)


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(gettext("Please give the organisation a name."))
        return name


def _role_choices(actor: Membership) -> list[tuple[str, str]]:
    return [(role.value, str(role.label)) for role in Role if actor.role == Role.OWNER or role != Role.OWNER]


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), help_text=_("They join once they accept the emailed invitation.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = _role_choices(actor)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


EARLIEST_DATE, LATEST_DATE = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


class BoundedDateField(forms.DateField):
    """A date a person could mean: far-off years are typing errors, and at the calendar's ends
    the day after (an end date's bound) does not exist."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LocalDateInput())
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                gettext("Use a date between %(earliest)s and %(latest)s.")
                % {"earliest": format_date(EARLIEST_DATE), "latest": format_date(LATEST_DATE)},
                code="out_of_range",
            )


class DateRangeForm(forms.Form):
    """Filters over a period: both ends optional, bounded, and the end not before the start."""

    date_from = BoundedDateField(label=_("Date from"), required=False)
    date_to = BoundedDateField(label=_("Date to"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(gettext("The end date must not be before the start date."))
        return cleaned


class AuditFilterForm(DateRangeForm):
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64, help_text=_("e.g. auth.login or membership")
    )
    actor = forms.CharField(required=False, max_length=254, label=_("Actor email"))
    field_order = ["action", "actor", "date_from", "date_to"]
