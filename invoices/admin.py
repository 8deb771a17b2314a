"""Staff views of billing data. Soft-deleted rows are listed too, and can be restored."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core.permissions import acting_user
from invoices import services
from invoices.models import BillingProfile, Challan, Client, CreditNote, Invoice, Payment, Product, ReminderLog


class SoftDeleteAdmin(admin.ModelAdmin[Any]):
    actions = ["restore_selected"]
    list_filter = ["is_active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()  # type: ignore[no-any-return]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # amounts change through the services (locked, recomputed, audited), never here

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # documents are soft-deleted through the app, never removed

    @admin.action(description="Restore the selected soft-deleted documents", permissions=["view"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        restored = 0
        for document in queryset.filter(is_active=False):
            try:
                services.restore(document, actor=acting_user(request), request=request)
            except ValidationError as exc:
                self.message_user(request, f"{document}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                restored += 1
        self.message_user(request, f"Restored {restored} document(s).")


@admin.register(Invoice)
class InvoiceAdmin(SoftDeleteAdmin):
    list_display = ["number", "organization", "client", "issue_date", "status", "total", "balance_due", "is_active"]
    list_filter = ["is_active", "status", "source"]
    search_fields = ["number", "client__name", "payment_reference"]
    list_select_related = ["organization", "client"]
    readonly_fields = ["subtotal", "vat_total", "total", "amount_paid", "amount_credited", "balance_due"]
    raw_id_fields = ["client"]


@admin.register(Payment)
class PaymentAdmin(SoftDeleteAdmin):
    list_display = ["date", "organization", "client", "invoice", "amount", "currency", "is_active"]
    list_select_related = ["organization", "client", "invoice"]
    raw_id_fields = ["client", "invoice"]


@admin.register(CreditNote)
class CreditNoteAdmin(SoftDeleteAdmin):
    list_display = ["number", "organization", "invoice", "total", "is_active"]
    list_select_related = ["organization", "invoice"]
    raw_id_fields = ["client", "invoice"]


@admin.register(Challan)
class ChallanAdmin(SoftDeleteAdmin):
    list_display = ["number", "organization", "client", "date", "invoice", "is_active"]
    list_select_related = ["organization", "client", "invoice"]
    raw_id_fields = ["client", "invoice"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "organization", "email", "vat_number", "currency", "language"]
    search_fields = ["name", "email", "vat_number"]
    list_select_related = ["organization"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "organization", "unit_price", "unit", "vat_rate", "vat_category", "is_active"]
    list_filter = ["is_active", "vat_category"]
    search_fields = ["name", "description"]
    list_select_related = ["organization"]


admin.site.register(BillingProfile)  # the logo (not editable here) is uploaded in the billing details


admin.site.register(ReminderLog)
