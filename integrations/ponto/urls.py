"""Ponto's pages: the consent flow and the webhook. Included by integrations.urls, in its namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from integrations.ponto import views

urlpatterns: list[URLPattern] = [
    path("connections/ponto/connect/", views.connect, name="ponto_connect"),
    path("connections/ponto/callback/", views.callback, name="ponto_callback"),
    path("webhooks/ponto/", views.webhook, name="ponto_webhook"),
]
