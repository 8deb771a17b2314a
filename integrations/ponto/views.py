"""Ponto's consent flow: send the user to Ponto with state and PKCE, take the callback."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.models import Role
from core.permissions import acting_user, organization_required
from core.ratelimit import check as rate_check
from integrations import services
from integrations.errors import ProviderError
from integrations.models import BankAccount, ConnectionStatus, SyncTrigger
from integrations.ponto import webhooks

logger = logging.getLogger(__name__)


@require_POST
@organization_required(write_role=Role.ADMIN)
def connect(request: HttpRequest) -> HttpResponse:
    return redirect(services.begin_ponto_consent(request, request.organization))  # type: ignore[attr-defined]


@require_GET
@organization_required(read_role=Role.ADMIN)
def callback(request: HttpRequest) -> HttpResponse:
    error = request.GET.get("error", "")
    if error:
        services.discard_consent(request, request.GET.get("state", ""))
        text = (
            "You declined the consent in Ponto: nothing was linked."
            if error == "access_denied"
            else (f"Ponto did not give consent ({error[:60]}): nothing was linked.")
        )
        messages.warning(request, text)
        return redirect("integrations:connection_list")
    try:
        connection = services.complete_ponto_consent(
            request,
            request.organization,  # type: ignore[attr-defined]
            acting_user(request),
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
        )
    except services.ConsentError as exc:
        messages.error(request, str(exc))
        return redirect("integrations:connection_list")
    except ProviderError as exc:
        logger.warning("Ponto consent could not be completed: %s", exc.message)
        messages.error(request, f"Ponto did not accept the consent: {exc.message} Please try again.")
        return redirect("integrations:connection_list")
    messages.success(request, f"{connection} is linked. Choose the accounts to include below.")
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
        webhooks.verify(request.headers.get("signature", ""), body)
        payload = json.loads(body)
    except (webhooks.InvalidWebhook, json.JSONDecodeError) as exc:
        logger.warning("refused a Ponto webhook: %s", exc)
        return JsonResponse({"error": "invalid_signature", "detail": str(exc)}, status=400)
    account_id = webhooks.account_id_of(payload)
    account = (
        BankAccount.objects.select_related("connection").filter(external_id=account_id).first() if account_id else None
    )
    if account is not None and account.connection.status != ConnectionStatus.DISCONNECTED:
        services.request_sync(account.connection, SyncTrigger.WEBHOOK)
    return JsonResponse({"received": True})
