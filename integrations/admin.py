"""Staff views: every sync run across organisations, and the failing connections at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from banking.models import BankAccount
from integrations.models import Connection, SyncRun


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "connection",
        "organization",
        "provider",
        "trigger",
        "status",
        "rows_added",
        "rows_updated",
        "rows_unchanged",
        "pages_fetched",
        "error_class",
        "after_sync_summary",
    ]
    list_filter = ["status", "connection__provider", "trigger", "error_class", "started_at", "connection__organization"]
    search_fields = ["error_message", "connection__display_name", "connection__organization__name"]
    date_hierarchy = "started_at"
    list_select_related = ["connection__organization"]

    @admin.display(description="Organisation")
    def organization(self, run: SyncRun) -> str:
        return str(run.connection.organization)

    @admin.display(description="Provider")
    def provider(self, run: SyncRun) -> str:
        return run.connection.get_provider_display()


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "organization",
        "provider",
        "status",
        "consecutive_failures",
        "last_success_at",
        "last_attempt_at",
        "consent_expires_at",
        "last_error",
    ]
    list_filter = ["status", "provider", "organization"]
    search_fields = ["display_name", "organization__name", "last_error"]
    ordering = ["-consecutive_failures", "status"]
    list_select_related = ["organization"]
    exclude = ["sync_claim"]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organization", "connection", "currency", "current_balance", "included"]
    list_select_related = ["organization", "connection"]
    exclude = ["raw"]
