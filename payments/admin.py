from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from payments.models import OnlinePayment, PaymentProviderAccount, Settlement


@admin.register(PaymentProviderAccount)
class PaymentProviderAccountAdmin(admin.ModelAdmin[PaymentProviderAccount]):
    list_display = ["organization", "provider", "masked_key", "enabled", "last_error", "updated_at"]
    list_filter = ["provider", "enabled"]
    search_fields = ["organization__name"]
    # The key stays out of the admin: owners paste and replace it on their settings screen.
    exclude = ["secret_key"]
    readonly_fields = ["masked_key", "webhook_token", "last_error", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Only the settings screen makes one: it checks the key with the provider first.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PaymentProviderAccount | None = None) -> bool:
        # Turned off, never deleted: payments started with it are still fetched with its key.
        return False


@admin.register(OnlinePayment)
class OnlinePaymentAdmin(admin.ModelAdmin[OnlinePayment]):
    list_display = ["provider_id", "organization", "invoice", "status", "amount", "amount_refunded", "created_at"]
    list_filter = ["provider", "status"]
    search_fields = ["provider_id", "invoice__number"]
    # What the providers said, never edited by hand: a change goes through payments.services.
    readonly_fields = [field.name for field in OnlinePayment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OnlinePayment | None = None) -> bool:
        # Deleted, its refunds would no longer be heard of (their webhooks name an unknown payment).
        return False


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin[Settlement]):
    list_display = ["reference", "provider", "organization", "amount", "currency", "settled_at", "bank_transaction"]
    list_filter = ["provider"]
    search_fields = ["reference", "provider_id"]
    readonly_fields = [field.name for field in Settlement._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Settlement | None = None) -> bool:
        # Deleted, its payout in the bank would be reconciled against invoices already paid online.
        return False
