"""Request-level plumbing: health probes, request ids, security headers, current organisation."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext

from core import health, tenancy
from core.http import TenantRequest
from core.logging import request_id_var

Handler = Callable[[HttpRequest], HttpResponse]

_HEALTH_VIEWS = {"/health/": health.health, "/readiness/": health.readiness}
IDLE_SESSION_KEY = "last_activity"
# Write the activity time back at most this often: a session write on every request would
# cost a query per page.
_ACTIVITY_WRITE_INTERVAL = 60


class HealthCheckMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _HEALTH_VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Send the request's id (see core.logging) back in the X-Request-ID header."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Request-ID"] = request_id_var.get()
        return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class CurrentOrganizationMiddleware:
    """Ends idle sessions, then sets request.organization, .membership and .memberships."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.organization = None
        request.membership = None
        request.memberships = []
        if request.user.is_authenticated:
            if _session_idle_too_long(request):
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect_to_login(request.get_full_path())
            memberships = tenancy.memberships_for(request.user.pk)
            membership = tenancy.current_membership(request, memberships)
            request.memberships = memberships
            request.membership = membership
            request.organization = membership.organization if membership else None
        return self.get_response(request)


def _session_idle_too_long(request: HttpRequest) -> bool:
    now = int(time.time())
    last = request.session.get(IDLE_SESSION_KEY)
    if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
        return True
    if not isinstance(last, int) or now - last >= _ACTIVITY_WRITE_INTERVAL:
        request.session[IDLE_SESSION_KEY] = now
    return False


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's (LocaleMiddleware's guess), on
    every device they use."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeMiddleware:
    """A form post larger than Django accepts gets our own 400 page, saying why, before anything
    reads the body: Django would raise RequestDataTooBig from the CSRF check, which DEBUG shows as
    its technical page and production as a bare "Bad request". Uploads (multipart) are bounded
    as a whole by MAX_UPLOAD_BYTES, since their files are not held in memory."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            reason = gettext(
                "What you sent is too large (%(sent)s MB; at most %(limit)s MB). Nothing was saved: "
                "go back, shorten it, and send it again."
            ) % {"sent": f"{length / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:.1f}"}
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)
