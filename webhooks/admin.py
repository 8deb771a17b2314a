from __future__ import annotations

from django.contrib import admin

from webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ["url", "organization", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "organization__name"]
    # The signing secret stays out of the admin: admins of the organisation reveal it on its page.
    exclude = ["secret"]
    readonly_fields = ["created_by", "created_at", "disabled_at", "failing_since", "last_success_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["event_type", "endpoint", "status", "attempt_count", "last_response_code", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "endpoint__url"]
    readonly_fields = ["message_id", "payload", "created_at"]
