"""The webhook settings screens, for admins: endpoints, their secret, their delivery log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from core.http import OrganizationRequest
from core.models import Role
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from webhooks import services
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint


class AdminOnly(OrganizationMixin):
    read_role = Role.ADMIN
    write_role = Role.ADMIN


def _secret_page(request: HttpRequest, endpoint: WebhookEndpoint, secret: str, *, new: bool) -> HttpResponse:
    """The signing secret, shown in this response only: never stored in the session or a URL."""
    response = render(request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "secret": secret, "new": new})
    add_never_cache_headers(response)
    return response


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def endpoint_list(request: OrganizationRequest) -> HttpResponse:
    endpoints = WebhookEndpoint.objects.filter(organization=request.organization)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def endpoint_create(request: OrganizationRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(
                organization=request.organization,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
                actor=acting_user(request),
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _secret_page(request, endpoint, endpoint.secret, new=True)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


class EndpointDetailView(AdminOnly, DetailView[WebhookEndpoint]):
    model = WebhookEndpoint
    template_name = "webhooks/endpoint_detail.html"
    context_object_name = "endpoint"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page, query = paginate(self.request, self.object.deliveries.all())
        return {**context, "page": page, "query": query}


class EndpointEditView(AdminOnly, DetailView[WebhookEndpoint]):
    model = WebhookEndpoint

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        endpoint = self.get_object()
        form = EndpointForm.for_endpoint(endpoint, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_endpoint(
                    endpoint,
                    url=form.cleaned_data["url"],
                    description=form.cleaned_data["description"],
                    events=form.cleaned_data["events"],
                    actor=acting_user(request),
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("The webhook endpoint is saved."))
                return redirect(endpoint)
        return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})

    post = get


class EndpointSecretView(AdminOnly, SingleObjectMixin[WebhookEndpoint], View):
    """Show the signing secret once more, or replace it with a new one and show that."""

    model = WebhookEndpoint
    http_method_names = ["post"]
    rotate = False

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        endpoint = self.get_object()
        actor = acting_user(request)
        if self.rotate:
            secret = services.rotate_secret(endpoint, actor=actor, request=request)
        else:
            secret = services.reveal_secret(endpoint, actor=actor, request=request)
        return _secret_page(request, endpoint, secret, new=self.rotate)


class EndpointActiveView(AdminOnly, ObjectActionView):
    model = WebhookEndpoint
    active = False

    def act(self, request: OrganizationRequest, endpoint: WebhookEndpoint) -> str | None:
        if self.active:
            services.enable_endpoint(endpoint, actor=acting_user(request), request=request)
            messages.success(request, gettext("The endpoint receives events again."))
        else:
            reason = gettext("Disabled by %(email)s.") % {"email": request.user.email}
            services.disable_endpoint(endpoint, reason=reason, actor=acting_user(request), request=request)
            messages.success(request, gettext("The endpoint receives no more events."))
        return None


class EndpointTestView(AdminOnly, ObjectActionView):
    model = WebhookEndpoint

    def act(self, request: OrganizationRequest, endpoint: WebhookEndpoint) -> str | None:
        services.send_test_event(endpoint, actor=acting_user(request), request=request)
        messages.success(request, gettext("A test event is on its way; its delivery shows in the log below."))
        return None


class EndpointDeleteView(AdminOnly, ObjectActionView):
    model = WebhookEndpoint

    def act(self, request: OrganizationRequest, endpoint: WebhookEndpoint) -> str | None:
        services.delete_endpoint(endpoint, actor=acting_user(request), request=request)
        messages.success(request, gettext("The webhook endpoint is deleted."))
        return reverse("webhooks:endpoint_list")


class DeliveryDetailView(AdminOnly, DetailView[WebhookDelivery]):
    model = WebhookDelivery
    template_name = "webhooks/delivery_detail.html"
    context_object_name = "delivery"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("endpoint").prefetch_related("attempts")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "payload_json": json.dumps(self.object.payload, indent=2, ensure_ascii=False)}


class DeliveryResendView(AdminOnly, ObjectActionView):
    model = WebhookDelivery

    def act(self, request: OrganizationRequest, delivery: WebhookDelivery) -> str | None:
        services.resend_delivery(delivery, actor=acting_user(request), request=request)
        messages.success(request, gettext("The delivery is sent again."))
        return None
