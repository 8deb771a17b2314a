"""Staff views of WhatsApp messages and the PDFs behind links: read only (Twilio's callbacks and the
worker write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import Message, MessageEvent, PdfAsset


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageEventInline(admin.TabularInline[MessageEvent, Message]):
    model = MessageEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "error_code", "received_at"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "invoice", "kind", "to", "status", "error_code", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["provider_sid", "to", "invoice__number"]
    inlines = [MessageEventInline]


@admin.register(PdfAsset)
class PdfAssetAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "invoice", "public_id", "expires_at", "destroyed_at"]
    search_fields = ["public_id"]
