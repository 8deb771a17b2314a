"""Billing forms: each rejects bad input with a message a finance user understands."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MinValueValidator
from django.http import Http404, QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.business_ids import BusinessIds
from core.formatting import format_percent
from core.forms import BoundedDateField, DateRangeForm
from core.memory import FRAGMENT_SECONDS, memory
from core.models import Organization
from core.validators import validate_iban, validate_structured_reference
from integrations.yuki import vat as yuki_vat
from invoices.models import BillingProfile, Client, Invoice, InvoiceStatus, PaymentMethod, Product
from invoices.models.invoices import InvoiceQuerySet
from invoices.money import CURRENCIES, VAT_RATES
from invoices.services import Line
from invoices.vat import VatCategory, implied_category, line_problem, rate_key
from messaging.phone import normalize_e164


def decimal_input(**attrs: str) -> forms.TextInput:
    """A text box for a number typed the way the page's language writes it (0,335 in Dutch and
    French; a point works too): a number input would refuse the comma."""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class MoneyField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", decimal_input())
        super().__init__(**kwargs)


class ClientForm(forms.ModelForm[Client]):
    ibans = forms.CharField(
        label=_("IBANs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line. Used to recognise the client's bank payments."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    # Typed with spaces, dots and a trunk prefix it is longer than the E.164 it is stored as.
    whatsapp_number = forms.CharField(
        label=_("WhatsApp number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("With the country code, e.g. +32 470 12 34 56."),
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "email",
            "phone",
            "preferred_channel",
            "whatsapp_number",
            "vat_number",
            "enterprise_number",
            "peppol_id",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "language",
            "payment_terms_days",
            "currency",
            "opening_balance",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "preferred_channel": _("Invoices and reminders go this way; you can still email one when sending."),
        }

    def __init__(self, *args: Any, default_language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, an import script): the client keeps its language and
        # channel, or a new one gets the defaults.
        self.default_language = self.instance.language if self.instance.pk else default_language
        self.fields["language"].required = False
        self.fields["preferred_channel"].required = False
        if not self.instance.pk and not self.is_bound:
            self.initial["language"] = default_language
        if self.instance.pk and not self.is_bound:
            self.initial["ibans"] = "\n".join(self.instance.bank_accounts.values_list("iban", flat=True))

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or self.default_language)

    def clean_preferred_channel(self) -> str:
        return str(self.cleaned_data.get("preferred_channel") or self.instance.preferred_channel)

    def clean_ibans(self) -> list[str]:
        return [validate_iban(line) for line in str(self.cleaned_data["ibans"]).splitlines() if line.strip()]

    def clean_country(self) -> str:
        return country_code(self.cleaned_data["country"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number = str(cleaned.get("whatsapp_number") or "")
        if number:
            # Read as a number of the client's country when written without a country code.
            try:
                cleaned["whatsapp_number"] = normalize_e164(number, str(cleaned.get("country") or "BE"))
            except ValidationError as exc:
                self.add_error("whatsapp_number", exc)
        return cleaned


def country_code(value: object) -> str:
    country = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationError(gettext("Use the two-letter country code, e.g. BE or NL."))
    return country


def to_decimal(value: str) -> Decimal:
    """`Decimal(value)` for a typed choice: text that is no number is a ValueError, which the field
    turns into "not one of the choices" (Decimal's own InvalidOperation escapes forms as a 500).
    No choice is a NaN: `sNaN` is refused here, before `has_changed` compares it (which raises)."""
    try:
        number = Decimal(value)
    except ArithmeticError as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    return number


def rate_choices(rates: Sequence[Decimal]) -> list[tuple[str, str]]:
    return [(rate_key(rate), format_percent(rate)) for rate in rates]


class VatRateField(forms.TypedChoiceField):
    """A VAT rate among those offered where the organisation is established (set per form)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("VAT %"))
        super().__init__(choices=rate_choices(VAT_RATES), coerce=to_decimal, initial="21", **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A stored rate (21.00) shows as its choice ("21"), not as the first option.
        return rate_key(value) if isinstance(value, Decimal) and value.is_finite() else value


class LineForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        localize=True,
        widget=decimal_input(),
        validators=[MinValueValidator(Decimal("0.001"), message=_("The quantity must be more than zero."))],
    )
    unit_price = MoneyField(
        label=_("Unit price"), validators=[MinValueValidator(Decimal("0"), message=_("Prices cannot be negative."))]
    )
    vat_rate = VatRateField()
    # Left out, it follows from the rate: the standard rate above 0 %, the zero rate at 0 %.
    vat_category = forms.ChoiceField(
        label=_("VAT category"), choices=[("", _("As the rate says")), *VatCategory.choices], required=False
    )
    vat_exemption_reason = forms.CharField(
        label=_("Why no VAT"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Why no VAT (exempt lines)")}),
    )

    def __init__(self, *args: Any, rates: Sequence[Decimal] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rates is not None:
            cast(VatRateField, self.fields["vat_rate"]).choices = rate_choices(rates)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "vat_rate" in data:
            data["vat_category"] = data.get("vat_category") or implied_category(data["vat_rate"])
            problem = line_problem(data["vat_category"], data["vat_rate"], data.get("vat_exemption_reason", ""))
            if problem:
                self.add_error("vat_category", problem[0].upper() + problem[1:])
        return data

    def line(self) -> Line:
        data = self.cleaned_data
        vat = (data["vat_rate"], data["vat_category"], data["vat_exemption_reason"])
        return Line(data["description"], data["quantity"], data["unit_price"], *vat)


# A document has at least one line and at most MAX_LINES: a posted line count beyond it is
# refused instead of building (and rendering back) thousands of empty line forms.
MAX_LINES = 200
LINE_LIMITS: dict[str, Any] = {
    "extra": 0,
    "min_num": 1,
    "max_num": MAX_LINES,
    "absolute_max": MAX_LINES,
    "validate_max": True,
    "can_delete": True,
}


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    def lines(self) -> list[Line]:
        return [form.line() for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]

    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms):
            raise ValidationError(gettext("Add at least one line."))


LineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(LineForm, formset=BaseLineFormSet, **LINE_LIMITS),
)


def line_formset(
    data: QueryDict | None, *, rates: Sequence[Decimal], initial: list[dict[str, Any]] | None = None
) -> BaseLineFormSet:
    """A document's lines ("lines-…" fields) whose VAT rates are `rates`."""
    return LineFormSet(data, prefix="lines", initial=initial, form_kwargs={"rates": rates})


class ChallanLineForm(LineForm):
    unit_price = MoneyField(label=_("Unit price"), required=False, initial=Decimal("0.00"))

    def clean_unit_price(self) -> Decimal:
        return self.cleaned_data["unit_price"] or Decimal("0.00")


ChallanLineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(ChallanLineForm, formset=BaseLineFormSet, **LINE_LIMITS),
)


class OrganizationClientField(forms.ModelChoiceField[Client]):
    """A client of the current organisation. Any other id is a 404, like every object outside
    the organisation: the answer must not tell a guessed id apart from a missing one."""

    def __init__(self, organization: Organization, **kwargs: Any) -> None:
        super().__init__(queryset=Client.objects.for_organization(organization).filter(is_active=True), **kwargs)

    def to_python(self, value: Any) -> Client | None:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code == "invalid_choice":
                raise Http404("No such client.") from exc
            raise


class InvoiceForm(forms.Form):
    issue_date = BoundedDateField(label=_("Issue date"))
    due_date = BoundedDateField(label=_("Due date"), required=False, help_text=_("Empty: the client's payment terms."))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        required=False,
        max_length=24,
        help_text=_("Empty: a structured reference is generated."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields = {"client": OrganizationClientField(organization, label=_("Client")), **self.fields}

    def clean_payment_reference(self) -> str:
        text = str(self.cleaned_data["payment_reference"]).strip()
        return validate_structured_reference(text) if text else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        issue, due = cleaned.get("issue_date"), cleaned.get("due_date")
        if issue and due and due < issue:
            self.add_error("due_date", gettext("The due date cannot be before the issue date."))
        client = cleaned.get("client")
        if issue and client and not due:
            cleaned["due_date"] = issue + datetime.timedelta(days=client.payment_terms_days)
        # A link that books every sent invoice in Yuki refuses a line rate Yuki has no VAT type for.
        refusal = yuki_vat.refusal_on_send(self.organization.pk, yuki_vat.posted_line_rates(self.data))
        if refusal:
            self.add_error(None, refusal)
        return cleaned


class PaymentForm(forms.Form):
    amount = MoneyField(
        label=_("Amount"),
        validators=[MinValueValidator(Decimal("0.01"), message=_("A payment must be more than zero."))],
    )
    date = BoundedDateField(label=_("Date"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=140)
    is_overpayment = forms.BooleanField(
        required=False, label=_("Overpayment"), help_text=_("Accept more than the balance due and credit the rest.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GeneralPaymentForm(PaymentForm):
    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"client": OrganizationClientField(organization, label=_("Client")), **self.fields}
        del self.fields["is_overpayment"]


class CancelInvoiceForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class CreditNoteForm(forms.Form):
    issue_date = BoundedDateField(label=_("Issue date"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ChallanForm(forms.Form):
    date = BoundedDateField(label=_("Date"))
    delivery_address = forms.CharField(
        label=_("Delivery address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"client": OrganizationClientField(organization, label=_("Client")), **self.fields}


class SearchForm(forms.Form):
    """A list's search box. Its text reaches the database, so it is a form field: a NUL, which
    PostgreSQL refuses in any string, is a form error here rather than a database error."""

    q = forms.CharField(required=False, label=_("Search"), max_length=100)

    def text(self) -> str:
        """What to search for: nothing when the text is refused (the form then says why)."""
        return str(self.cleaned_data["q"]) if self.is_valid() else ""


class InvoiceFilterForm(SearchForm, DateRangeForm):
    SORTS = {
        "-issue_date": _("Newest first"),
        "issue_date": _("Oldest first"),
        "due_date": _("Due soonest"),
        "-total": _("Largest total"),
        "-balance_due": _("Largest balance due"),
        "number": _("Number"),
    }

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *InvoiceStatus.choices]
    )
    client = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=list(SORTS.items()))
    field_order = ["q", "status", "client", "date_from", "date_to", "overdue", "sort"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_from"].label, self.fields["date_to"].label = _("Issued from"), _("Issued to")

    def invoices(self, organization: Organization) -> InvoiceQuerySet:
        """The organisation's invoices these filters select, with their clients; none while the
        filters are invalid."""
        return filtered_invoices(organization, self.cleaned_data if self.is_valid() else None).select_related("client")


def filtered_invoices(organization: Organization, filters: dict[str, Any] | None) -> InvoiceQuerySet:
    """The organisation's invoices that InvoiceFilterForm's cleaned `filters` select; none for
    refused filters (None)."""
    invoices = Invoice.objects.for_organization(organization)
    return invoices.filtered(**filters) if filters is not None else invoices.none()


def invoice_filters(query: QueryDict) -> dict[str, Any] | None:
    """InvoiceFilterForm's cleaned data for this query string; None when it refuses it. A
    function of the query string alone (fixed choices and bounds, no lookups), so worked out
    once per process for each (core.memory): validating the form was a tenth of the list's time."""
    key = "invoice-filters:" + hashlib.blake2b(query.urlencode().encode(), digest_size=16).hexdigest()
    found: tuple[dict[str, Any] | None] | None = memory.get(key)
    if found is None:
        form = InvoiceFilterForm(query)
        found = (form.cleaned_data if form.is_valid() else None,)
        memory.set(key, found, FRAGMENT_SECONDS)
    return found[0]


MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000  # a 5000 x 5000 image; beyond it decoding alone costs too much memory
LOGO_BOX = (1200, 1200)  # stored no larger: a PDF prints it a few centimetres wide
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def checked_logo(data: bytes) -> tuple[bytes, str]:
    """The logo as stored (re-encoded by Pillow) and its content type, or a ValidationError.

    Re-encoding keeps the pixels and nothing else: text hidden after the image's end (a file that
    is an image and a script or an archive at once), metadata and comments are dropped, so what
    the database holds and the PDFs embed is only an image Pillow wrote itself."""
    refused = ValidationError(gettext("Upload a PNG or JPEG image: this file is not one, or it is damaged."))
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(gettext("The logo is larger than 1 MB: save it smaller and upload it again."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                if image_format not in LOGO_FORMATS or probe.width * probe.height > MAX_LOGO_PIXELS:
                    raise refused
                probe.verify()  # checksums and structure, without decoding
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # a truncated or corrupt body fails here
                picture = ImageOps.exif_transpose(image) or image
                picture.thumbnail(LOGO_BOX)
                output = io.BytesIO()
                if image_format == "PNG":
                    picture.save(output, "PNG", optimize=True)
                else:
                    picture.convert("RGB").save(output, "JPEG", quality=90)
    except ValidationError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise refused from exc
    return output.getvalue(), LOGO_FORMATS[image_format]


class LogoField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> tuple[bytes, str] | None:
        upload = super().clean(data, initial)
        if not isinstance(upload, UploadedFile):
            return None
        if upload.size is not None and upload.size > MAX_LOGO_BYTES:
            raise ValidationError(gettext("The logo is larger than 1 MB: save it smaller and upload it again."))
        return checked_logo(upload.read(MAX_LOGO_BYTES + 1))


class BillingProfileForm(forms.ModelForm[BillingProfile]):
    reminder_offsets = forms.CharField(
        label=_("Reminder days"),
        help_text=_("Days from the due date, comma-separated: -3 is three days before, 7 a week after."),
    )
    logo_upload = LogoField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 1 MB. Printed at the top of every PDF."),
    )

    class Meta:
        model = BillingProfile
        fields = [
            "legal_name",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "vat_number",
            "enterprise_number",
            "peppol_id",
            "iban",
            "bic",
            "email",
            "phone",
            "invoice_footer",
            "send_reminders",
            "reminder_offsets",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["reminder_offsets"] = ", ".join(str(n) for n in self.instance.reminder_offsets)

    def clean_country(self) -> str:
        return country_code(self.cleaned_data["country"])

    def clean_iban(self) -> str:
        value = str(self.cleaned_data["iban"]).strip()
        return validate_iban(value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        country = str(cleaned.get("country", "")).strip().upper()
        names = ("vat_number", "enterprise_number", "peppol_id")
        if all(name in cleaned for name in names) and re.fullmatch(r"[A-Z]{2}", country):
            try:
                ids = BusinessIds(country, *(str(cleaned[name]) for name in names)).normalized()
            except ValidationError as exc:
                self.add_error(None, exc)
            else:
                cleaned.update(
                    vat_number=ids.vat_number, enterprise_number=ids.enterprise_number, peppol_id=ids.peppol_id
                )
        return cleaned

    def clean_reminder_offsets(self) -> list[int]:
        try:
            offsets = sorted(
                {int(part) for part in str(self.cleaned_data["reminder_offsets"]).split(",") if part.strip()}
            )
        except ValueError as exc:
            raise ValidationError(gettext("Use whole numbers of days separated by commas, e.g. -3, 0, 7, 14.")) from exc
        if any(abs(n) > 365 for n in offsets):
            raise ValidationError(gettext("Reminders can be at most a year before or after the due date."))
        return offsets

    def save(self, commit: bool = True) -> BillingProfile:
        profile = super().save(commit=False)
        logo = self.cleaned_data.get("logo_upload")
        if logo:
            profile.logo, profile.logo_type = logo
        if commit:
            profile.save()
        return profile


class ProductForm(forms.ModelForm[Product]):
    """A product of the catalogue: its VAT rate among those of the organisation's country (and its
    own, should the country's rates have changed since)."""

    vat_rate = VatRateField()
    vat_category = forms.ChoiceField(
        label=_("VAT category"), choices=[("", _("As the rate says")), *VatCategory.choices], required=False
    )

    class Meta:
        model = Product
        fields = ["name", "description", "unit_price", "unit", "vat_rate", "vat_category"]
        field_classes = {"unit_price": MoneyField}

    def __init__(self, *args: Any, rates: Sequence[Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VatRateField, self.fields["vat_rate"]).choices = rate_choices(rates)
        self.fields["unit_price"].validators.append(
            MinValueValidator(Decimal("0"), message=_("Prices cannot be negative."))
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "vat_rate" in data:
            data["vat_category"] = data.get("vat_category") or implied_category(data["vat_rate"])
            # An exempt product's reason is given on each line it fills (the line form asks for it).
            problem = line_problem(data["vat_category"], data["vat_rate"], reason="on the line")
            if problem:
                self.add_error("vat_category", problem[0].upper() + problem[1:])
        return data
