from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from payments.views import public, settings_screen, webhooks

app_name = "payments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("pay/<str:token>/", public.public_invoice, name="public_invoice"),
    path("pay/<str:token>/pdf/", public.public_invoice_pdf, name="public_invoice_pdf"),
    path("pay/<str:token>/checkout/", public.checkout, name="checkout"),
    path("pay/<str:token>/return/", public.payment_return, name="public_return"),
    path("webhooks/mollie/", webhooks.mollie_webhook, name="mollie_webhook"),
    path("webhooks/paystack/<str:token>/", webhooks.paystack_webhook, name="paystack_webhook"),
    path("settings/online-payment/", settings_screen.online_payment_settings, name="settings"),
    path("settings/online-payment/check/", settings_screen.check_key, name="check_key"),
    path("settings/online-payment/turn-off/", settings_screen.turn_off, name="turn_off"),
]
