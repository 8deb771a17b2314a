"""Yuki's pages: linking an administration, its ledger accounts and key, booking an invoice.
Included by integrations.urls, in its namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from integrations.yuki import views

urlpatterns: list[URLPattern] = [
    path("connections/yuki/connect/", views.connect, name="yuki_connect"),
    path("connections/yuki/administration/", views.choose_administration, name="yuki_administration"),
    path("connections/<int:pk>/ledger/", views.LedgerAccountsView.as_view(), name="yuki_ledger_accounts"),
    path("connections/<int:pk>/yuki-key/", views.ReplaceKeyView.as_view(), name="yuki_replace_key"),
    path("invoices/<int:pk>/book-in-yuki/", views.BookInYukiView.as_view(), name="book_in_yuki"),
]
