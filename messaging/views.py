"""Twilio's status callbacks (signed with the account's auth token) and the PDF behind our own
expiring links (no login: the signed token is the permission)."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from twilio.request_validator import RequestValidator, get_signature_algorithm

from core.ratelimit import check as rate_check
from core.ratelimit import rate_limit
from invoices.views.pdfs import inline_invoice_pdf
from messaging import links, services

logger = logging.getLogger(__name__)


def _signed_by_twilio(request: HttpRequest) -> bool:
    """Twilio signs the URL it was given (SITE_URL-based) and the posted fields. Behind a proxy the
    request's own host and scheme may differ, so the URL is rebuilt from SITE_URL, not the request."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings", ""))
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    return bool(RequestValidator(token).validate(url, request.POST, signature, algorithm))


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Signed by Twilio, not by a browser: the signature replaces CSRF protection here. Only refused
    callbacks count against the rate limit: Twilio does not retry one answered 429, and a busy run
    of reminders sends many from the same few addresses."""
    if not _signed_by_twilio(request):
        wait = rate_check(request, "webhook")
        if wait is not None:
            return JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
        logger.warning("refused a Twilio status callback without a valid signature")
        return JsonResponse({"error": "invalid_signature"}, status=403)
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    code_text = request.POST.get("ErrorCode", "")
    error_code = int(code_text) if re.fullmatch(r"[0-9]{1,9}", code_text) else None
    message = services.record_status(sid, status, error_code, request.POST.get("ErrorMessage", ""))
    # Twilio only needs a 2xx; a SID we do not know (another installation's) is not an error.
    return JsonResponse({"received": True, "known": message is not None})


@require_GET
@rate_limit("pdf_link", methods=())
def pdf_link(request: HttpRequest, token: str, name: str) -> HttpResponse:
    try:
        invoice = links.invoice_for_token(token)
    except links.LinkExpired:
        return render(request, "messaging/link_gone.html", {"expired": True}, status=410)
    if invoice is None:
        return render(request, "messaging/link_gone.html", {"expired": False}, status=404)
    return inline_invoice_pdf(invoice)
