"""The payment QR code (EPC069-12) on the invoice page and PDF decodes, with a QR decoder, to the
transfer of exactly what is open, field by field as the reference lists them; and there is none
when there is nothing a banking app could pay."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdfium2  # type: ignore[import-untyped]
import pytest
import zxingcpp
from django.test import Client as Browser
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.models import Organization
from invoices import services
from invoices.epc import CreditTransfer, credit_transfer
from invoices.models import BillingProfile, Invoice
from invoices.pdf import invoice_pdf
from tests.factories import make_invoice, make_lines, pay
from tests.invoices.test_pdf import pdf_text
from tests.subprocess_django import run_django

pytestmark = pytest.mark.django_db

IBAN = "BE71096123456769"  # a valid Belgian IBAN of bank code 096: BIC GKCCBEBB
# EPC069-12's character sets, by the number in the payload's third line.
CHARSETS = {"1": "utf-8", "2": "iso-8859-1", "3": "iso-8859-2", "4": "iso-8859-4", "5": "iso-8859-5"}
CHARSETS |= {"6": "iso-8859-7", "7": "iso-8859-10", "8": "iso-8859-15"}


@pytest.fixture
def profile(organization: Organization) -> BillingProfile:
    return BillingProfile.objects.create(organization=organization, legal_name="Atelier Peeters BV", iban=IBAN)


def decoded(image: Image.Image) -> list[str]:
    """The QR codes in the image, read as a banking app reads an EPC code: the bytes in the
    character set its third line names."""
    found = []
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        charset = CHARSETS[result.bytes.split(b"\n")[2].decode("ascii")]
        found.append(result.bytes.decode(charset))
    return found


def scanned(transfer: CreditTransfer) -> str:
    buffer = io.BytesIO()
    transfer.qr_code().save(buffer, kind="png", scale=4)
    [text] = decoded(Image.open(buffer))
    return text


def pdf_codes(document: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(document)[0]
    return decoded(page.render(scale=3).to_pil())


def test_the_code_carries_the_open_amount_the_account_and_the_structured_reference(profile, organization):
    invoice = make_invoice(organization, lines=make_lines(("1", "1000.00", "21")))  # 1,210.00
    pay(invoice, "117.90")
    invoice.refresh_from_db()

    transfer = credit_transfer(invoice, profile)

    assert transfer is not None
    reference = (
        f"+++{invoice.payment_reference[:3]}/{invoice.payment_reference[3:7]}/{invoice.payment_reference[7:]}+++"
    )
    # Service tag, version, charset (ISO-8859-1), SCT, BIC, name, IBAN, amount, purpose, reference.
    assert scanned(transfer) == f"BCD\n002\n2\nSCT\nGKCCBEBB\nAtelier Peeters BV\n{IBAN}\nEUR1092.1\n\n{reference}"


def test_the_twelve_digits_alone_when_the_setting_asks_for_them(profile, organization, settings):
    settings.EPC_QR_REFERENCE = "digits"
    invoice = make_invoice(organization)

    transfer = credit_transfer(invoice, profile)

    assert transfer is not None
    assert scanned(transfer).endswith(f"\nEUR121\n\n{invoice.payment_reference}")


@pytest.mark.parametrize(
    ("given", "iban", "sent"),
    [
        ("gkcc bebb", IBAN, "GKCCBEBB"),
        ("GKCCBEBBXXX", IBAN, "GKCCBEBBXXX"),
        ("KREDBEBB", IBAN, ""),  # not the bank the IBAN names: better none than a wrong one
        ("", IBAN, "GKCCBEBB"),
        ("ABNANL2A", "NL91ABNA0417164300", "ABNANL2A"),
        ("", "NL91ABNA0417164300", ""),
        ("not a bic", "NL91ABNA0417164300", ""),
        ("GKCCBEBB", "NL91ABNA0417164300", ""),  # a Belgian bank for a Dutch account
    ],
)
def test_the_bic_is_the_profiles_or_the_one_a_belgian_iban_names(profile, organization, given, iban, sent):
    profile.bic, profile.iban = given, iban

    transfer = credit_transfer(make_invoice(organization), profile)

    assert transfer is not None and transfer.bic == sent
    assert scanned(transfer).split("\n")[4] == sent


def test_a_foreign_iban_without_a_bic_leaves_the_field_empty(profile, organization):
    invoice = make_invoice(organization)
    profile.bic, profile.iban = "", "NL91 ABNA 0417 1643 00"

    transfer = credit_transfer(invoice, profile)

    assert transfer is not None
    assert scanned(transfer).split("\n")[4:7] == ["", "Atelier Peeters BV", "NL91ABNA0417164300"]


def test_a_long_name_is_cut_to_seventy_characters_and_other_alphabets_pick_their_charset(profile, organization):
    invoice = make_invoice(organization)
    profile.legal_name = "Łódź Wytwórnia Łożysk " * 5

    transfer = credit_transfer(invoice, profile)

    assert transfer is not None
    lines = scanned(transfer).split("\n")
    assert lines[2] == "3" and lines[5] == ("Łódź Wytwórnia Łożysk " * 5)[:70]  # ISO-8859-2


@pytest.mark.parametrize(
    "case",
    [
        "draft",
        "paid",
        "cancelled",
        "dollars",
        "no profile",
        "no iban",
        "invalid iban",
        "too much",
        "swiss iban",
        "too long a name",
    ],
)
def test_no_code_when_a_banking_app_could_not_pay_it(profile, organization, case):
    kwargs: dict[str, object] = {"sent": case != "draft"}
    if case == "dollars":
        kwargs["currency"] = "USD"
    if case == "too much":
        kwargs["lines"] = make_lines(("1000", "1000000.00", "0"))  # a billion
    invoice = make_invoice(organization, **kwargs)  # type: ignore[arg-type]
    if case == "paid":
        pay(invoice, invoice.total)
    if case == "cancelled":
        services.cancel_invoice(invoice, reason="test")
    invoice = Invoice.objects.get(pk=invoice.pk)
    profile.iban = {"no iban": "", "invalid iban": "BE71096123456768", "swiss iban": "CH9300762011623852957"}.get(
        case, IBAN
    )
    if case == "too long a name":
        profile.legal_name = "\U0001f4b6" * 70  # 280 bytes: with the rest, more than a code holds

    assert credit_transfer(invoice, None if case == "no profile" else profile) is None


def test_the_pdf_carries_the_same_code_and_says_what_it_is(profile, organization):
    invoice = make_invoice(organization)
    transfer = credit_transfer(invoice, profile)
    assert transfer is not None

    document = invoice_pdf(invoice)

    assert pdf_codes(document) == [scanned(transfer)]
    assert "Or scan the code with a banking app" in pdf_text(document)


def test_a_pdf_with_nothing_to_pay_has_no_code(profile, organization):
    invoice = make_invoice(organization)
    pay(invoice, invoice.total)

    assert pdf_codes(invoice_pdf(invoice)) == []


def test_the_invoice_page_shows_the_code_without_an_extra_query(
    profile, organization, owner_client: Browser, django_assert_max_num_queries
):
    invoice = make_invoice(organization)
    url = reverse("invoices:invoice_detail", args=[invoice.pk])
    owner_client.get(url)  # warm the per-process caches

    with django_assert_max_num_queries(8):
        page = owner_client.get(url).content.decode()

    assert page.count('class="segno"') == 1
    assert "Scan to pay" in page and f"+++{invoice.payment_reference[:3]}/" in page
    pay(invoice, invoice.total)
    assert 'class="segno"' not in owner_client.get(url).content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=90).filter(
        lambda name: name.strip() == name and name.strip()
    ),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
)
def test_any_name_and_amount_scan_back_exactly(profile, name: str, amount: Decimal):
    transfer = CreditTransfer(name=name[:70], iban=IBAN, bic="", amount=amount, reference="", text="Invoice 7")

    lines = scanned(transfer).split("\n")

    assert lines[5] == name[:70]
    assert Decimal(lines[7].removeprefix("EUR")) == amount
    assert lines[9:] == ["", "Invoice 7"]


def test_a_line_break_in_the_name_cannot_shift_the_iban(profile, organization):
    profile.legal_name = "Atelier\nNL91ABNA0417164300\r\n\tBV"

    transfer = credit_transfer(make_invoice(organization), profile)

    assert transfer is not None
    assert scanned(transfer).split("\n")[5:7] == ["Atelier NL91ABNA0417164300 BV", IBAN]


def test_an_invoice_without_a_structured_reference_names_itself_in_the_free_text(profile, organization):
    invoice = make_invoice(organization)
    invoice.payment_reference = ""

    transfer = credit_transfer(invoice, profile)

    assert transfer is not None
    assert scanned(transfer).split("\n")[9:] == ["", f"Invoice {invoice.number}"]


def test_settings_refuse_an_unknown_reference_style():
    result = run_django("print('started')", DEBUG="1", EPC_QR_REFERENCE="emoji")

    assert result.returncode != 0
    assert "EPC_QR_REFERENCE must be formatted or digits" in result.stderr
