from __future__ import annotations

from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("webhooks/twilio/status/", views.twilio_status, name="twilio_status"),
    path("links/pdf/<str:token>/<str:name>", views.pdf_link, name="pdf_link"),
]
