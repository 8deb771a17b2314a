"""Forms of the Yuki link flow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.yuki.linking import REGIONS


class AccessKeyForm(forms.Form):
    access_key = forms.CharField(
        label=_("Web-service access key"),
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("In Yuki: Settings > Web services. It is stored encrypted and never shown again."),
    )
    region = forms.ChoiceField(label=_("Region"), choices=list(REGIONS.items()), initial="BE")

    def clean_access_key(self) -> str:
        return str(self.cleaned_data["access_key"]).strip()


class AdministrationForm(forms.Form):
    administration = forms.ChoiceField(label=_("Administration"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, administrations: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["administration"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a["id"], a["name"]) for a in administrations]
