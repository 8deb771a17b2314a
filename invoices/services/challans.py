"""Delivery notes: create them, and turn one into an invoice."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import record_event
from core.formatting import format_date
from core.models import Organization, User
from invoices.models import Challan, ChallanItem, Client, Invoice, Series, next_number
from invoices.services.common import Line, create_lines, require_same_organization, validate_lines
from invoices.services.invoicing import create_invoice


@transaction.atomic
def create_challan(
    *,
    organization: Organization,
    client: Client,
    lines: Sequence[Line],
    date: datetime.date,
    delivery_address: str = "",
    notes: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Challan:
    require_same_organization(organization, client)
    validate_lines(lines)
    number, _ = next_number(organization, Series.CHALLAN, date.year)
    challan = Challan.objects.create(
        organization=organization,
        client=client,
        number=number,
        date=date,
        delivery_address=delivery_address,
        notes=notes,
    )
    create_lines(ChallanItem, "challan", challan, organization, lines)
    record_event(
        "challan.created",
        request=request,
        actor=actor,
        organization=organization,
        target=challan,
        after={"number": number, "client": client.name, "lines": len(lines)},
    )
    return challan


@transaction.atomic
def convert_challan_to_invoice(
    challan: Challan,
    *,
    issue_date: datetime.date | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Invoice:
    challan = Challan.objects.select_for_update().select_related("client", "organization").get(pk=challan.pk)
    if challan.invoice_id:
        raise ValidationError(gettext("This delivery note has already been invoiced."))
    invoice = create_invoice(
        organization=challan.organization,
        client=challan.client,
        lines=[Line.of(item) for item in challan.items.all()],
        issue_date=issue_date or timezone.localdate(),
        notes=gettext("Delivered under %(number)s on %(date)s.")
        % {"number": challan.number, "date": format_date(challan.date)},
        actor=actor,
        request=request,
    )
    challan.invoice = invoice
    challan.save(update_fields=["invoice", "updated_at"])
    record_event(
        "challan.invoiced",
        request=request,
        actor=actor,
        organization=challan.organization,
        target=challan,
        after={"invoice": invoice.number},
    )
    return invoice
