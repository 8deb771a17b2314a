from __future__ import annotations

from django.urls import path

from integrations import views
from integrations.ponto import views as ponto_views

app_name = "integrations"

urlpatterns = [
    path("connections/", views.connection_list, name="connection_list"),
    path("connections/ponto/connect/", ponto_views.connect, name="ponto_connect"),
    path("connections/ponto/callback/", ponto_views.callback, name="ponto_callback"),
    path("connections/<int:pk>/", views.ConnectionDetailView.as_view(), name="connection_detail"),
    path("connections/<int:pk>/status.json", views.ConnectionStatusView.as_view(), name="connection_status"),
    path("connections/<int:pk>/sync/", views.SyncNowView.as_view(), name="connection_sync"),
    path("connections/<int:pk>/schedule/", views.SyncIntervalView.as_view(), name="connection_schedule"),
    path("connections/<int:pk>/reauthorise/", views.ReauthoriseView.as_view(), name="connection_reauthorise"),
    path("connections/<int:pk>/disconnect/", views.DisconnectView.as_view(), name="connection_disconnect"),
    path("webhooks/ponto/", ponto_views.webhook, name="ponto_webhook"),
]
