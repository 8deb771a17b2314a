"""The online-payment settings form: which provider, and its secret key."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import Provider

_KEY_SHAPES = {
    Provider.MOLLIE: re.compile(r"^(live|test)_\w{20,}$"),
    Provider.PAYSTACK: re.compile(r"^sk_(live|test)_\w{20,}$"),
}


class AccountForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=Provider.choices)
    secret_key = forms.CharField(
        label=_("Secret key"),
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Mollie: the live_ or test_ API key. Paystack: the sk_live_ or sk_test_ secret key."),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        provider, key = cleaned.get("provider"), cleaned.get("secret_key")
        if provider and key and not _KEY_SHAPES[Provider(provider)].match(str(key)):
            self.add_error("secret_key", _("This is not a key of the chosen provider."))
        return cleaned
