"""The access point's signed webhooks: acknowledged at once, the document read by the worker."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from core.ratelimit import check as rate_check
from invoices.einvoicing import webhooks

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Signed by the access point, not by a browser: the HMAC replaces CSRF protection here."""
    wait = rate_check(request, "webhook")
    if wait is not None:
        return JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
    try:
        event = webhooks.verify(request.body, request.headers.get("X-Signature", ""), settings.EINVOICE_WEBHOOK_SECRET)
    except webhooks.InvalidWebhook as exc:
        logger.warning("refused an e-invoice webhook: %s", exc)
        return JsonResponse({"error": "invalid_signature", "detail": str(exc)}, status=400)
    async_task("invoices.tasks.einvoice_document_changed", event.document_id, event.type)
    return JsonResponse({"received": True, "document": event.document_id})
