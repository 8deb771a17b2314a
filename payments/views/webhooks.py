"""The providers' webhooks. Neither body is trusted as it comes: Mollie's names a payment we then
fetch with the organisation's key; Paystack's must carry a valid HMAC-SHA512 signature and its
transaction (and its refunds) is read from the API before any amount counts."""

from __future__ import annotations

import json
import logging
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.ratelimit import check as rate_check
from payments import services
from payments.accounts import mark_key_refused
from payments.models import OnlinePayment, PaymentProviderAccount, Provider
from payments.providers import ProviderError, provider_for
from payments.providers.paystack import signature_is_valid

logger = logging.getLogger(__name__)

_MOLLIE_ID = re.compile(r"^tr_[A-Za-z0-9]{1,60}$")


def _error(status: int, error: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail}, status=status)


def _refresh(online: OnlinePayment) -> HttpResponse:
    """Apply the provider's current state; a provider fault answers 503 so the provider retries."""
    account = online.account
    if account is None:
        return _error(503, "no_account", "The payment's provider account is gone.")
    try:
        state = provider_for(account).fetch(online.provider_id)
    except ProviderError as exc:
        logger.warning("webhook for %s: the provider failed: %s", online, exc)
        if exc.is_auth:
            mark_key_refused(online.organization_id, str(exc), account_id=account.pk)
        return _error(503, "provider_unavailable", "The payment could not be fetched; retry later.")
    online = services.apply_state(online, state)
    return JsonResponse({"received": True, "status": online.status})


@csrf_exempt
@require_POST
def mollie_webhook(request: HttpRequest) -> HttpResponse:
    """Mollie posts `id=tr_…` and nothing else (its documented model, no signature)."""
    wait = rate_check(request, "webhook")
    if wait is not None:
        return JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
    payment_id = request.POST.get("id", "")
    if not _MOLLIE_ID.match(payment_id):
        return _error(400, "invalid_id", "Expected a form field id=tr_….")
    online = OnlinePayment.objects.select_related("account").filter(provider=Provider.MOLLIE, provider_id=payment_id)
    found = online.first()
    if found is None:
        # Mollie advises answering 200 for unknown ids: a scan learns nothing from us.
        logger.info("Mollie webhook for an unknown payment id")
        return HttpResponse(status=200)
    return _refresh(found)


@csrf_exempt
@require_POST
def paystack_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Paystack posts {event, data} signed with the account's secret key, to the URL the owner
    pasted in Paystack's dashboard (the token in it names the account)."""
    wait = rate_check(request, "webhook")
    if wait is not None:
        return JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
    account = PaymentProviderAccount.objects.filter(webhook_token=token, provider=Provider.PAYSTACK).first()
    if account is None:
        return _error(404, "unknown_account", "No Paystack account has this webhook address.")
    if not signature_is_valid(request.body, request.headers.get("x-paystack-signature", ""), account.secret_key):
        logger.warning("refused a Paystack webhook with a bad signature for account %s", account.pk)
        return _error(401, "invalid_signature", "The x-paystack-signature header does not match the body.")
    try:
        event = json.loads(request.body)
        name, data = str(event["event"]), event["data"]
    except (ValueError, KeyError, TypeError):
        return _error(400, "invalid_body", "Expected a JSON object with event and data.")
    if not isinstance(data, dict):
        return _error(400, "invalid_body", "Expected data to be an object.")
    if name.startswith("refund."):
        reference = str(data.get("transaction_reference") or "")
    elif name.startswith("charge."):
        reference = str(data.get("reference") or "")
    else:
        return JsonResponse({"received": True, "ignored": name})
    online = (
        OnlinePayment.objects.select_related("account")
        .filter(provider=Provider.PAYSTACK, provider_id=reference, organization_id=account.organization_id)
        .first()
    )
    if online is None:
        return JsonResponse({"received": True, "ignored": "unknown reference"})
    return _refresh(online)
