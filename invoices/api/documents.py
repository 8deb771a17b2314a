"""An invoice's documents through the API: its PDF and Peppol UBL as the screens serve them,
and what a payer needs to pay it by bank transfer."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.http import FileResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from stdnum import bic as bic_code
from stdnum import iban as iban_number

from api.errors import Conflict, Unprocessable
from api.schema import Error
from invoices import pdf
from invoices.einvoicing.ubl import invoice_ubl
from invoices.epc import credit_transfer
from invoices.models import BillingProfile, Invoice


class _DownloadRenderer(BaseRenderer):
    """Lets a caller that asks for the file's type (`Accept: application/pdf`) reach the download,
    which is a file response no renderer touches; an error is still answered in JSON."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        body: bytes = JSONRenderer().render(data, accepted_media_type, renderer_context)
        return body


class PdfRenderer(_DownloadRenderer):
    media_type = "application/pdf"
    format = "pdf"


class XmlRenderer(_DownloadRenderer):
    media_type = "application/xml"
    format = "xml"


def _download(content: bytes, content_type: str, name: str, extension: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), content_type=content_type, filename=f"{slugify(name)}.{extension}")


class PaymentLinkSerializer(serializers.Serializer[Any]):
    invoice = serializers.CharField(help_text="The invoice's number.")
    beneficiary = serializers.CharField(help_text="The account holder to pay: the organisation.")
    iban = serializers.CharField()
    bic = serializers.CharField(allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="What is still open.")
    currency = serializers.CharField()
    structured_reference = serializers.CharField(
        allow_blank=True, help_text="The Belgian structured reference (+++123/4567/89012+++) to quote."
    )
    epc_qr_payload = serializers.CharField(
        allow_null=True,
        help_text="The text of the EPC “scan to pay” QR code (EPC069-12), to draw it; null when the "
        "invoice is not in euro or the account cannot be paid to by SEPA transfer.",
    )


class InvoiceDocumentsMixin:
    if TYPE_CHECKING:

        def get_object(self) -> Invoice: ...

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        """The invoice's PDF, the one its page downloads."""
        invoice = self.get_object()
        return _download(pdf.invoice_pdf(invoice), PdfRenderer.media_type, invoice.number, "pdf")

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XmlRenderer])
    def ubl(self, request: Request, pk: str) -> FileResponse:
        """The invoice as a Peppol BIS Billing 3.0 UBL document, its PDF embedded."""
        invoice = self.get_object()
        content = invoice_ubl(invoice, pdf=pdf.invoice_pdf(invoice))
        return _download(content, XmlRenderer.media_type, invoice.number, "xml")

    @extend_schema(
        responses={
            200: PaymentLinkSerializer,
            409: OpenApiResponse(Error, description="The invoice is not open: nothing to pay."),
            422: OpenApiResponse(Error, description="The organisation has no IBAN in its billing settings."),
        },
        description="What a payer needs to pay the open amount by bank transfer. Online payment (a "
        "payment provider's checkout link) is not offered yet; it arrives with a later version.",
    )
    @action(detail=True, methods=["get"], url_path="payment-link")
    def payment_link(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        if not invoice.is_open or invoice.balance_due <= 0:
            raise Conflict(_("%(number)s is not open: nothing is due on it.") % {"number": invoice.number})
        profile = BillingProfile.objects.filter(organization_id=invoice.organization_id).first()
        if profile is None or not iban_number.is_valid(profile.iban):
            raise Unprocessable([_("Add your IBAN in the billing settings first.")])
        transfer = credit_transfer(invoice, profile)
        answer = {
            "invoice": invoice.number,
            "beneficiary": profile.display_name,
            "iban": iban_number.compact(profile.iban),
            "bic": transfer.bic if transfer else bic_code.compact(profile.bic) if profile.bic else "",
            "amount": invoice.balance_due,
            "currency": invoice.currency,
            "structured_reference": invoice.formatted_reference,
            "epc_qr_payload": transfer.payload() if transfer else None,
        }
        return Response(PaymentLinkSerializer(answer).data)
