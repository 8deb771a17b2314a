"""/settings/online-payment/: owners and admins choose the provider and paste its key."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.http import OrganizationRequest
from core.models import Role
from core.permissions import acting_user, organization_required
from payments import accounts
from payments.forms import AccountForm
from payments.models import Provider
from payments.providers import ProviderError
from payments.services import paystack_webhook_url


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def online_payment_settings(request: OrganizationRequest) -> HttpResponse:
    """The current account, and the form that checks a key with the provider and saves it."""
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.save_account(
                request.organization,
                form.cleaned_data["provider"],
                form.cleaned_data["secret_key"],
                actor=acting_user(request),
                request=request,
            )
        except ProviderError as exc:
            form.add_error("secret_key", gettext("The provider refused this key: %(error)s") % {"error": exc})
        else:
            messages.success(request, gettext("Online payment is on."))
            return redirect("payments:settings")
    account = accounts.active_account(request.organization)
    context = {
        "account": account,
        "form": form,
        "webhook_url": paystack_webhook_url(account) if account and account.provider == Provider.PAYSTACK else "",
        "paystack_currencies": ", ".join(settings.PAYSTACK_CURRENCIES),
    }
    return render(request, "payments/settings.html", context, status=400 if form.errors else 200)


@require_POST
@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def check_key(request: OrganizationRequest) -> HttpResponse:
    account = accounts.active_account(request.organization)
    if account is None:
        raise Http404
    error = accounts.check_account(account, actor=acting_user(request), request=request)
    if error:
        messages.error(request, gettext("The provider refused the key: %(error)s") % {"error": error})
    else:
        messages.success(request, gettext("The provider accepts the key."))
    return redirect("payments:settings")


@require_POST
@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def turn_off(request: OrganizationRequest) -> HttpResponse:
    account = accounts.active_account(request.organization)
    if account is None:
        raise Http404
    accounts.disable_account(account, actor=acting_user(request), request=request)
    messages.success(request, gettext("Online payment is off."))
    return redirect("payments:settings")
