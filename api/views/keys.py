"""Settings → API keys: admins create a key (its token shown once), see when each was last used,
and revoke it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from api.forms import ApiKeyForm
from api.keys import create_api_key, revoke_api_key
from api.models import ApiKey
from core.http import OrganizationRequest
from core.models import Role
from core.permissions import ObjectActionView, organization_required


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def api_keys(request: OrganizationRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    token = ""
    if request.method == "POST" and form.is_valid():
        _key, token = create_api_key(
            request.organization,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
            actor=request.user,
            request=request,
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.for_organization(request.organization).select_related("created_by")
    return render(request, "api/keys.html", {"form": form, "keys": keys, "token": token})


class ApiKeyRevokeView(ObjectActionView):
    model = ApiKey
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def act(self, request: OrganizationRequest, obj: Any) -> str | None:
        revoke_api_key(obj, actor=request.user, request=request)
        messages.success(
            request, gettext("%(name)s is revoked: programs using it are refused from now on.") % {"name": obj.name}
        )
        return None

    def get_success_url(self, obj: Any) -> str:
        return reverse("api_keys")
