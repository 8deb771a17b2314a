"""The form of a webhook endpoint: where to send, what for, and which events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from webhooks import ssrf
from webhooks.models import EventType, WebhookEndpoint


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https address on the public internet that answers a POST with a 2xx status."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data: Mapping[str, Any] | None = None) -> EndpointForm:
        initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
        return cls(data, initial=initial)

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        try:
            ssrf.vet_url(url)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return url
