"""The service's URLs: accounts (allauth), the admin, and each app's pages."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth, so its MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("api.screen_urls")),
    path("dashboard/", include("dashboards.urls")),
    path("dashboard/", include("banking.urls")),
    path("", include("invoices.urls")),
    path("", include("integrations.urls")),
    path("", include("webhooks.urls")),
    path("", include("payments.urls")),
    path("", include("messaging.urls")),
    path("", include("core.urls")),
]
