"""Ponto's consent flow: send the user to Ponto with state and PKCE, take the callback."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.http import OrganizationRequest
from core.models import Role
from core.permissions import acting_user, organization_required
from core.ratelimit import check as rate_check
from integrations.ponto import consent, webhooks

logger = logging.getLogger(__name__)


@require_POST
@organization_required(write_role=Role.ADMIN)
def connect(request: OrganizationRequest) -> HttpResponse:
    return redirect(consent.begin_ponto_consent(request, request.organization))


@require_GET
@organization_required(read_role=Role.ADMIN)
def callback(request: OrganizationRequest) -> HttpResponse:
    error = request.GET.get("error", "")
    if error:
        consent.discard_consent(request, request.GET.get("state", ""))
        text = (
            gettext("You declined the consent in Ponto: nothing was linked.")
            if error == "access_denied"
            else gettext("Ponto did not give consent (%(error)s): nothing was linked.") % {"error": error[:60]}
        )
        messages.warning(request, text)
        return redirect("integrations:connection_list")
    try:
        connection = consent.complete_ponto_consent(
            request,
            request.organization,
            acting_user(request),
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
        )
    except consent.ConsentError as exc:
        messages.error(request, str(exc))
        return redirect("integrations:connection_list")
    messages.success(
        request, gettext("%(connection)s is linked. Choose the accounts to include below.") % {"connection": connection}
    )
    return redirect(connection)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Signed by Ponto, not by a browser: the JWT replaces CSRF protection here."""
    wait = rate_check(request, "webhook")
    if wait is not None:
        return JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
    body = request.body
    try:
        claims = webhooks.verify(request.headers.get("signature", ""), body)
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise webhooks.InvalidWebhook("the body is not a JSON object")
        with transaction.atomic():  # a failure below forgets the signature, so a retry is processed
            webhooks.accept_once(claims)
            webhooks.process(payload)
    except webhooks.ReplayedWebhook as exc:
        logger.warning("refused a replayed Ponto webhook: %s", exc)
        return JsonResponse({"error": "replayed", "detail": str(exc)}, status=400)
    except (webhooks.InvalidWebhook, ValueError) as exc:
        logger.warning("refused a Ponto webhook: %s", exc)
        return JsonResponse({"error": "invalid_signature", "detail": str(exc)}, status=400)
    return JsonResponse({"received": True})
