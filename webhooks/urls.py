from __future__ import annotations

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("settings/webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("settings/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint_detail"),
    path("settings/webhooks/<int:pk>/edit/", views.EndpointEditView.as_view(), name="endpoint_edit"),
    path("settings/webhooks/<int:pk>/secret/", views.EndpointSecretView.as_view(), name="endpoint_secret"),
    path(
        "settings/webhooks/<int:pk>/secret/rotate/",
        views.EndpointSecretView.as_view(rotate=True),
        name="endpoint_rotate_secret",
    ),
    path("settings/webhooks/<int:pk>/disable/", views.EndpointActiveView.as_view(), name="endpoint_disable"),
    path("settings/webhooks/<int:pk>/enable/", views.EndpointActiveView.as_view(active=True), name="endpoint_enable"),
    path("settings/webhooks/<int:pk>/test/", views.EndpointTestView.as_view(), name="endpoint_test"),
    path("settings/webhooks/<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="endpoint_delete"),
    path("settings/webhooks/deliveries/<int:pk>/", views.DeliveryDetailView.as_view(), name="delivery_detail"),
    path("settings/webhooks/deliveries/<int:pk>/resend/", views.DeliveryResendView.as_view(), name="delivery_resend"),
]
