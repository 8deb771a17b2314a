"""The organisation's logo: uploaded in the billing details (PNG or JPEG, at most 1 MB, checked and
re-encoded by Pillow, kept in the database), shown there with a remove button, and drawn at the
top of every PDF."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.models import AuditEvent, Organization, Role
from invoices import services
from invoices.models import BillingProfile
from invoices.pdf import challan_pdf, credit_note_pdf, invoice_pdf, payment_receipt_pdf
from tests.factories import make_billing_profile, make_challan, make_invoice, make_lines, make_payment, member

pytestmark = pytest.mark.django_db

SETTINGS = {
    "legal_name": "Acme BV",
    "country": "BE",
    "reminder_offsets": "-3, 0, 7",
    "send_reminders": "on",
}


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (240, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 95, 255)).save(buffer, image_format)
    return buffer.getvalue()


def upload(owner_client: HttpClient, content: bytes, name: str = "logo.png") -> object:
    return owner_client.post(
        reverse("invoices:billing_settings"), {**SETTINGS, "logo_upload": SimpleUploadedFile(name, content)}
    )


def logo_errors(response: object) -> str:
    return " ".join(response.context["form"].errors.get("logo_upload", []))  # type: ignore[attr-defined]


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_png_or_jpeg_logo_is_kept_in_the_database(
    owner_client: HttpClient, organization: Organization, image_format: str
):
    response = upload(owner_client, image_bytes(image_format), f"logo.{image_format.lower()}")

    assert response.status_code == 302  # type: ignore[attr-defined]
    profile = BillingProfile.objects.get(organization=organization)
    assert profile.logo_type == f"image/{image_format.lower()}"
    assert Image.open(io.BytesIO(profile.logo_bytes)).size == (240, 80)
    event = AuditEvent.objects.filter(action="billing_profile.updated").latest("id")
    assert event.after["logo_bytes"] == len(profile.logo_bytes)  # its size is audited, never its bytes


def test_a_logo_over_one_megabyte_is_refused(owner_client: HttpClient, organization: Organization):
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))  # incompressible: ~1.5 MB as PNG
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 * 1024

    response = upload(owner_client, buffer.getvalue())

    assert "larger than 1 MB" in logo_errors(response)
    assert not BillingProfile.objects.filter(organization=organization).exclude(logo=None).exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4 not a picture", "logo.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
        (image_bytes("PNG")[:200], "truncated.png"),  # a PNG cut short: corrupt
        (image_bytes("GIF"), "logo.gif"),
    ],
    ids=["not-an-image", "svg", "corrupt-png", "gif"],
)
def test_what_is_not_a_whole_png_or_jpeg_is_refused(
    owner_client: HttpClient, organization: Organization, content: bytes, name: str
):
    response = upload(owner_client, content, name)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "PNG or JPEG" in logo_errors(response)
    assert not BillingProfile.objects.filter(organization=organization).exclude(logo=None).exists()


def test_a_polyglot_keeps_only_its_pixels(owner_client: HttpClient, organization: Organization):
    """An image that is also something else (a script after the image's end) is re-encoded:
    what is stored is a PNG Pillow wrote, without the rider."""
    payload = b"<html><script>alert(document.cookie)</script></html>"

    response = upload(owner_client, image_bytes("PNG") + payload)

    assert response.status_code == 302  # type: ignore[attr-defined]
    stored = BillingProfile.objects.get(organization=organization).logo_bytes
    assert stored.startswith(b"\x89PNG") and b"<script>" not in stored


def test_the_settings_show_the_logo_with_a_remove_button(owner_client: HttpClient, organization: Organization):
    upload(owner_client, image_bytes())

    page = owner_client.get(reverse("invoices:billing_settings")).content.decode()
    assert 'src="data:image/png;base64,' in page
    assert reverse("invoices:billing_logo_remove") in page

    owner_client.post(reverse("invoices:billing_logo_remove"))
    profile = BillingProfile.objects.get(organization=organization)
    assert profile.logo is None and profile.logo_type == ""
    assert AuditEvent.objects.filter(action="billing_profile.logo_removed").exists()
    assert "data:image/png" not in owner_client.get(reverse("invoices:billing_settings")).content.decode()


def test_a_viewer_or_finance_member_cannot_remove_the_logo(client: HttpClient, organization: Organization):
    make_billing_profile(organization, logo=image_bytes(), logo_type="image/png")
    client.force_login(member(organization, Role.FINANCE))

    assert client.post(reverse("invoices:billing_logo_remove")).status_code == 403
    assert BillingProfile.objects.get(organization=organization).logo


def pdf_images(document: bytes) -> list[tuple[int, int]]:
    page = PdfReader(io.BytesIO(document)).pages[0]
    return [image.image.size for image in page.images if image.image is not None]


def test_every_pdf_draws_the_logo_on_its_first_page(organization: Organization):
    make_billing_profile(organization, logo=image_bytes(size=(300, 100)), logo_type="image/png")
    invoice = make_invoice(organization)
    note = services.issue_credit_note(invoice, lines=make_lines(("1", "10.00", "21")), issue_date=invoice.issue_date)

    documents = {
        "invoice": invoice_pdf(invoice),
        "credit note": credit_note_pdf(note),
        "receipt": payment_receipt_pdf(make_payment(organization)),
        "delivery note": challan_pdf(make_challan(organization)),
    }

    for name, document in documents.items():
        assert (300, 100) in pdf_images(document), name


def test_without_a_logo_no_image_is_drawn(organization: Organization):
    make_billing_profile(organization)

    assert pdf_images(invoice_pdf(make_invoice(organization))) == []
