"""Recomputing the stored totals of many invoices at once: Invoice.recompute's rule, with the sums
read in three grouped queries per batch instead of four queries per invoice (the lines' net
amounts per invoice, VAT category and rate: the VAT of a group is computed from its sum)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Max, Sum

from invoices.models import CreditNote, Invoice, InvoiceItem, Payment
from invoices.models.invoices import Sums
from invoices.money import ZERO, round_cents
from invoices.vat import VatLine, vat_breakdown, vat_total

BATCH_SIZE = 2000  # invoice ids per grouped query


def recompute_many(invoices: Sequence[Invoice]) -> None:
    """What `invoice.recompute()` does to each invoice (in memory, not saved), from the same rows:
    its lines, its active payments and its active credit notes."""
    for start in range(0, len(invoices), BATCH_SIZE):
        batch = invoices[start : start + BATCH_SIZE]
        ids = [invoice.pk for invoice in batch]
        lines: dict[int, list[VatLine]] = {}
        for row in (
            InvoiceItem.objects.filter(invoice_id__in=ids)
            .order_by()
            .values("invoice_id", "vat_category", "vat_rate")
            .annotate(net=Sum("net_amount"), vat=Sum("vat_amount"))
        ):
            line = VatLine(row["vat_category"], row["vat_rate"], round_cents(row["net"]), vat=round_cents(row["vat"]))
            lines.setdefault(row["invoice_id"], []).append(line)
        payments: dict[int, tuple[Decimal, datetime.date]] = {
            row["invoice_id"]: (row["paid"], row["last"])
            for row in Payment.objects.filter(invoice_id__in=ids)
            .order_by()
            .values("invoice_id")
            .annotate(paid=Sum("amount"), last=Max("date"))
        }
        credited: dict[int, Decimal] = dict(
            CreditNote.objects.filter(invoice_id__in=ids)
            .order_by()
            .values("invoice_id")
            .annotate(total=Sum("total"))
            .values_list("invoice_id", "total")
        )
        for invoice in batch:
            groups = vat_breakdown(lines.get(invoice.pk, []), per_line=invoice.vat_rounded_per_line)
            paid, last_payment = payments.get(invoice.pk, (ZERO, None))
            invoice.settle(
                Sums(
                    net=sum((group.taxable for group in groups), ZERO),
                    vat=vat_total(groups),
                    paid=round_cents(paid),
                    last_payment=last_payment,
                    credited=round_cents(credited.get(invoice.pk, ZERO)),
                )
            )
