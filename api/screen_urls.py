"""The API's screens in the service: the API keys settings."""

from __future__ import annotations

from django.urls import path

from api.views.keys import ApiKeyRevokeView, api_keys

urlpatterns = [
    path("settings/api-keys/", api_keys, name="api_keys"),
    path("settings/api-keys/<int:pk>/revoke/", ApiKeyRevokeView.as_view(), name="api_key_revoke"),
]
