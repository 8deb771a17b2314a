"""The product catalogue: saving, archiving and restoring products (audited), and the catalogue
as the invoice editor's script reads it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from core.audit import record_event
from core.models import Organization, User
from invoices.models import Product
from invoices.services.common import snapshot
from invoices.vat import rate_key

PRODUCT_FIELDS = ("name", "description", "unit_price", "unit", "vat_rate", "vat_category", "is_active")


@transaction.atomic
def save_product(
    product: Product, *, organization: Organization, actor: User | None = None, request: HttpRequest | None = None
) -> Product:
    """Create or update `product` (a form's unsaved instance) in the organisation's catalogue."""
    creating = product.pk is None
    before = None if creating else snapshot(Product.objects.get(pk=product.pk), PRODUCT_FIELDS)
    product.organization = organization
    product.save()
    record_event(
        "product.created" if creating else "product.updated",
        request=request,
        actor=actor,
        organization=organization,
        target=product,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def set_product_active(
    product: Product, active: bool, *, actor: User | None = None, request: HttpRequest | None = None
) -> Product:
    """Archive a product (no longer offered in the editor; invoices that used it keep their lines)
    or bring it back."""
    if product.is_active == active:
        return product
    product.is_active = active
    product.save(update_fields=["is_active"])
    record_event(
        "product.restored" if active else "product.archived",
        request=request,
        actor=actor,
        organization=product.organization,
        target=product,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return product


def catalogue_for_editor(organization: Organization) -> list[dict[str, Any]]:
    """The active products as the editor's script fills a line from them: plain JSON values,
    amounts as strings (never floats)."""
    return [
        {
            "id": product.pk,
            "name": product.name,
            "description": product.line_description,
            "unit_price": f"{product.unit_price:.2f}",
            "unit": product.unit,
            "vat_rate": rate_key(product.vat_rate),
            "vat_category": product.vat_category,
        }
        for product in Product.objects.for_organization(organization).active()
    ]
