"""The staff's view of an invoice's online payments: `{% online_payment_panel invoice as panel %}`."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from invoices.models import Invoice, InvoiceStatus
from payments.accounts import usage
from payments.links import public_invoice_url
from payments.models import OnlinePayment

register = template.Library()


@dataclass(frozen=True)
class Panel:
    attempts: list[OnlinePayment]
    public_url: str
    account_enabled: bool


@register.simple_tag
def online_payment_panel(invoice: Invoice) -> Panel | None:
    """None for an organisation that never set up online payment (no query once the cache is warm)."""
    used = usage(invoice.organization_id)
    if not used.ever:
        return None
    issued = invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED)
    return Panel(
        attempts=list(OnlinePayment.objects.filter(invoice=invoice, organization_id=invoice.organization_id)[:20]),
        public_url=public_invoice_url(invoice) if issued else "",
        account_enabled=bool(used.provider),
    )
