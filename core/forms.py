"""Forms for sign-up, organisations, members and the audit log filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from core import services
from core.models import Membership, Role, User


class SignupForm(forms.Form):
    """allauth's sign-up form gains the organisation the new user will own."""

    organization_name = forms.CharField(
        label="Organisation name",
        max_length=200,
        help_text="Your company or team. You can invite colleagues to it later.",
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        services.create_organization(self.cleaned_data["organization_name"], owner=user, request=request)


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError("Please give the organisation a name.")
        return name


def _role_choices(actor: Membership) -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role if actor.role == Role.OWNER or role != Role.OWNER]


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email address of an existing account")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = _role_choices(actor)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64, help_text="e.g. auth.login or membership")
    actor = forms.CharField(required=False, max_length=254, label="Actor email")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("The end date must not be before the start date.")
        return cleaned
