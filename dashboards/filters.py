"""The dashboard's filters (period, bank accounts, currency, grouping), read from the URL."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banking.models import BankAccount
from core.widgets import LocalDateInput

PERIODS = {
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "12m": _("Last 12 months"),
    "ytd": _("This year"),
    "24m": _("Last 24 months"),
    "custom": _("Custom dates"),
}
GRANULARITIES = {"day": _("Day"), "week": _("Week"), "month": _("Month")}
MAX_PERIOD_DAYS = 3660


def period_bounds(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if period == "30d":
        return today - datetime.timedelta(days=29), today
    if period == "90d":
        return today - datetime.timedelta(days=89), today
    if period == "ytd":
        return today.replace(month=1, day=1), today
    months = 24 if period == "24m" else 12
    year, month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    return datetime.date(year, month + 1, 1), today


@dataclass(frozen=True)
class Filters:
    start: datetime.date
    end: datetime.date
    currency: str
    period: str = "12m"
    granularity: str = "month"
    accounts: tuple[int, ...] = field(default_factory=tuple)  # empty: every included account

    def params(self) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {
            "period": self.period,
            "currency": self.currency,
            "group": self.granularity,
        }
        if self.period == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.accounts:
            params["account"] = [str(pk) for pk in self.accounts]
        return params

    def query(self) -> str:
        return urlencode(self.params(), doseq=True)

    def link_query(self) -> str:
        """The filters that differ from the defaults, for links between the dashboard's pages."""
        params = self.params()
        for name, value in FilterForm.DEFAULTS.items():
            if params.get(name) == value:
                del params[name]
        return urlencode(params, doseq=True)

    def as_json(self) -> dict[str, object]:
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "currency": self.currency,
            "group": self.granularity,
            "accounts": list(self.accounts),
        }


class FilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS.items(), required=False, label=_("Period"))
    # ISO dates, as a date input sends them whatever the language.
    start = forms.DateField(
        required=False,
        label=pgettext_lazy("start date", "From"),
        widget=LocalDateInput(),
    )
    end = forms.DateField(
        required=False,
        label=pgettext_lazy("end date", "To"),
        widget=LocalDateInput(),
    )
    account = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label=_("Bank accounts"), widget=forms.CheckboxSelectMultiple
    )
    # Ticked: every account counts, whatever else is ticked.
    all_accounts = forms.BooleanField(required=False, label=_("All accounts"))
    currency = forms.ChoiceField(required=False, label=_("Currency"))
    group = forms.ChoiceField(choices=GRANULARITIES.items(), required=False, label=_("Group by"))

    DEFAULTS = {"period": "12m", "group": "month", "currency": "EUR"}

    def __init__(self, data: QueryDict, accounts: list[BankAccount]) -> None:
        # Missing filters take their defaults, so the form shows what the page shows.
        data = data.copy()
        for name, value in self.DEFAULTS.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["account"]).choices = [(a.pk, str(a)) for a in accounts]
        currencies = sorted({a.currency for a in accounts} | {"EUR"})
        cast(forms.ChoiceField, self.fields["currency"]).choices = [(c, c) for c in currencies]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        period = data.get("period") or "12m"
        data["period"] = period
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("A custom period needs a start and an end date."))
            if start > end:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most ten years."))
        if data.get("all_accounts"):
            data["account"] = []
        return data

    def filters(self) -> Filters:
        """The filters chosen (the defaults where the form is empty). Call after is_valid()."""
        data = self.cleaned_data
        today = timezone.localdate()
        period = str(data["period"])
        start, end = (data["start"], data["end"]) if period == "custom" else period_bounds(period, today)
        return Filters(
            start=start,
            end=end,
            currency=data.get("currency") or self.DEFAULTS["currency"],
            period=period,
            granularity=data.get("group") or "month",
            accounts=tuple(sorted(data.get("account") or [])),
        )


def default_filters() -> Filters:
    start, end = period_bounds("12m", timezone.localdate())
    return Filters(start=start, end=end, currency="EUR")
