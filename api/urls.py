"""`/api/v1/`: every resource of the public API, its schema and its reference page."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api import errors
from api.routes import ROUTES
from api.views.reference import reference

app_name = "api"

router = SimpleRouter()
for prefix, viewset, basename in ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("", include(router.urls)),
    # The schema and its reference page describe the API, not an organisation's data: public.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("reference/", reference, name="reference"),
    re_path(r"^", errors.not_found),
]
