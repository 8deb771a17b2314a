from __future__ import annotations

from django.urls import path

from integrations import views
from integrations.ponto import views as ponto_views
from integrations.yuki import views as yuki_views

app_name = "integrations"

urlpatterns = [
    path("connections/", views.connection_list, name="connection_list"),
    path("connections/ponto/connect/", ponto_views.connect, name="ponto_connect"),
    path("connections/ponto/callback/", ponto_views.callback, name="ponto_callback"),
    path("connections/yuki/connect/", yuki_views.connect, name="yuki_connect"),
    path("connections/yuki/administration/", yuki_views.choose_administration, name="yuki_administration"),
    path("connections/<int:pk>/", views.ConnectionDetailView.as_view(), name="connection_detail"),
    path("connections/<int:pk>/ledger/", yuki_views.LedgerAccountsView.as_view(), name="yuki_ledger_accounts"),
    path("connections/<int:pk>/yuki-key/", yuki_views.ReplaceKeyView.as_view(), name="yuki_replace_key"),
    path("invoices/<int:pk>/book-in-yuki/", yuki_views.BookInYukiView.as_view(), name="book_in_yuki"),
    path("connections/<int:pk>/status.json", views.ConnectionStatusView.as_view(), name="connection_status"),
    path("connections/<int:pk>/sync/", views.SyncNowView.as_view(), name="connection_sync"),
    path("connections/<int:pk>/schedule/", views.SyncIntervalView.as_view(), name="connection_schedule"),
    path("connections/<int:pk>/reauthorise/", views.ReauthoriseView.as_view(), name="connection_reauthorise"),
    path("accounts/<int:pk>/source/", views.PreferredSourceView.as_view(), name="account_source"),
    path("connections/<int:pk>/disconnect/", views.DisconnectView.as_view(), name="connection_disconnect"),
    path("webhooks/ponto/", ponto_views.webhook, name="ponto_webhook"),
]
