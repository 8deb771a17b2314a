"""Connections' pages, and each provider's own (their urls modules), all in the `integrations` namespace."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from integrations import views

app_name = "integrations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("connections/", views.connection_list, name="connection_list"),
    path("connections/<int:pk>/", views.ConnectionDetailView.as_view(), name="connection_detail"),
    path("connections/<int:pk>/status.json", views.ConnectionStatusView.as_view(), name="connection_status"),
    path("connections/<int:pk>/sync/", views.SyncNowView.as_view(), name="connection_sync"),
    path("connections/<int:pk>/schedule/", views.SyncIntervalView.as_view(), name="connection_schedule"),
    path("connections/<int:pk>/reauthorise/", views.ReauthoriseView.as_view(), name="connection_reauthorise"),
    path("accounts/<int:pk>/source/", views.PreferredSourceView.as_view(), name="account_source"),
    path("connections/<int:pk>/disconnect/", views.DisconnectView.as_view(), name="connection_disconnect"),
    path("", include("integrations.ponto.urls")),
    path("", include("integrations.yuki.urls")),
]
