"""The language menu: the choice is remembered in a cookie (signed out) and on the account."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from core.http import own_page
from core.models import User


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    # Back to the page the menu was on: the top bar is cached without the page's own URL.
    target = request.POST.get("next") or request.headers.get("Referer", "")
    # A Referer is a whole URL: its path on this site is where to go back.
    path = urlsplit(target)
    if path.netloc in ("", request.get_host()):
        target = path.path + (f"?{path.query}" if path.query else "")
    response = HttpResponseRedirect(own_page(request, target, "/"))
    if language not in dict(settings.LANGUAGES) or not check_for_language(language):
        return response
    if isinstance(request.user, User) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
