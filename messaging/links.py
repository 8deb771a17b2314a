"""Expiring links to an invoice's PDF, for a WhatsApp message to carry as its document.

With Cloudinary configured the rendered PDF is uploaded as a private asset and the link is a
signed download URL of Cloudinary's that stops working at `expires_at`; the asset is remembered
and destroyed by the hourly cleanup once the link expired. Without Cloudinary the link is our own:
a token signed with SECRET_KEY and a timestamp (django.core.signing.TimestampSigner), which the
PDF view accepts for PDF_LINK_TTL_SECONDS, no login needed.
"""

from __future__ import annotations

import datetime
import io
import logging
import uuid

import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from invoices import pdf
from invoices.models import Invoice
from messaging.models import PdfAsset

logger = logging.getLogger(__name__)

SALT = "messaging.pdf-link"
RESOURCE_TYPE = "raw"  # a PDF as a file, delivered as uploaded (image PDFs are blocked by default)
ASSET_TYPE = "private"


class LinkUnavailable(Exception):
    """The PDF could not be put behind a link just now (Cloudinary refused or did not answer)."""


def cloudinary_configured() -> bool:
    return bool(settings.CLOUDINARY_CLOUD_NAME and settings.CLOUDINARY_API_KEY and settings.CLOUDINARY_API_SECRET)


def cloudinary_options() -> dict[str, str]:
    """Passed on each call rather than set globally, so settings (and tests) decide per call."""
    return {
        "cloud_name": settings.CLOUDINARY_CLOUD_NAME,
        "api_key": settings.CLOUDINARY_API_KEY,
        "api_secret": settings.CLOUDINARY_API_SECRET,
        "upload_prefix": settings.CLOUDINARY_API_URL,
    }


def pdf_link(invoice: Invoice) -> str:
    """A link to the invoice's PDF that works for PDF_LINK_TTL_SECONDS."""
    if cloudinary_configured():
        return _cloudinary_link(invoice)
    return signed_link(invoice)


# --- our own signed link ---------------------------------------------------------------------


def signed_link(invoice: Invoice) -> str:
    token = signing.TimestampSigner(salt=SALT).sign_object([invoice.pk, invoice.organization_id])
    return f"{settings.SITE_URL}{reverse('messaging:pdf_link', args=[token, pdf.invoice_file_name(invoice)])}"


class LinkExpired(Exception):
    pass


def invoice_for_token(token: str) -> Invoice | None:
    """The issued invoice a link names; None when the token is forged or names nothing; raises
    LinkExpired when it was genuine but is older than PDF_LINK_TTL_SECONDS."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        pk, organization_id = signer.unsign_object(token, max_age=settings.PDF_LINK_TTL_SECONDS)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(organization_id, int):
        return None
    invoice: Invoice | None = (
        Invoice.objects.issued().select_related("organization").filter(pk=pk, organization_id=organization_id).first()
    )
    return invoice


# --- Cloudinary ------------------------------------------------------------------------------


def _cloudinary_link(invoice: Invoice) -> str:
    expires_at = timezone.now() + datetime.timedelta(seconds=settings.PDF_LINK_TTL_SECONDS)
    # Remembered before the upload: an upload Cloudinary stored but whose answer was lost (a
    # timeout) is destroyed after expiry all the same; one never stored is "not found" then.
    asset = PdfAsset.objects.create(
        organization_id=invoice.organization_id,
        invoice=invoice,
        public_id=f"smart-invoice/{uuid.uuid4().hex}/{pdf.invoice_file_name(invoice)}",
        resource_type=RESOURCE_TYPE,
        expires_at=expires_at,
    )
    try:
        cloudinary.uploader.upload(
            io.BytesIO(pdf.invoice_pdf(invoice)),
            public_id=asset.public_id,
            resource_type=RESOURCE_TYPE,
            type=ASSET_TYPE,
            filename=pdf.invoice_file_name(invoice),
            timeout=settings.CLOUDINARY_TIMEOUT_SECONDS,
            **cloudinary_options(),
        )
    except (cloudinary.exceptions.Error, OSError) as exc:
        logger.warning("invoice %s: the PDF could not be uploaded to Cloudinary: %s", invoice.pk, exc)
        raise LinkUnavailable(str(exc)) from exc
    url: str = cloudinary.utils.private_download_url(
        asset.public_id,
        "",
        resource_type=RESOURCE_TYPE,
        type=ASSET_TYPE,
        expires_at=int(expires_at.timestamp()),
        **cloudinary_options(),
    )
    return url


def destroy_expired_assets(now: datetime.datetime | None = None) -> int:
    """Destroy the uploaded PDFs whose links have expired; returns how many are gone. One that
    Cloudinary cannot destroy now stays listed and is tried again on the next run."""
    now = now or timezone.now()
    destroyed = 0
    for asset in PdfAsset.objects.filter(destroyed_at__isnull=True, expires_at__lte=now).order_by("expires_at"):
        try:
            answer = cloudinary.uploader.destroy(
                asset.public_id,
                resource_type=asset.resource_type,
                type=ASSET_TYPE,
                invalidate=True,
                timeout=settings.CLOUDINARY_TIMEOUT_SECONDS,
                **cloudinary_options(),
            )
        except (cloudinary.exceptions.Error, OSError) as exc:
            logger.warning("Cloudinary asset %s could not be destroyed now: %s", asset.public_id, exc)
            continue
        # "not found": already gone (destroyed by an earlier run whose answer was lost).
        if answer.get("result") in ("ok", "not found"):
            PdfAsset.objects.filter(pk=asset.pk).update(destroyed_at=timezone.now())
            destroyed += 1
    return destroyed
