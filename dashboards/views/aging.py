"""Drill-down from the receivables aging: the open invoices of one bucket, of one client or all."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from core.http import is_id
from core.pagination import paginate
from core.permissions import OrganizationMixin
from dashboards.figures.receivables import BUCKETS, BUCKETS_BY_KEY, Bucket, open_invoices
from invoices.models import Client
from invoices.money import ZERO, round_cents

CURRENCY = re.compile(r"[A-Z]{3}")


def bucket_url(bucket: str, client_id: int | None = None, currency: str = "EUR") -> str:
    """The drill-down page of one aging bucket, for one client or (client_id None) all of them."""
    if bucket not in BUCKETS_BY_KEY:
        raise ValueError(f"Unknown aging bucket: {bucket}")
    params: dict[str, str] = {"currency": currency}
    if client_id is not None:
        params["client"] = str(client_id)
    return f"{reverse('dashboards:aging_bucket', args=[bucket])}?{urlencode(params)}"


class AgingDrilldownView(OrganizationMixin, TemplateView):
    template_name = "dashboards/aging_bucket.html"

    def bucket(self) -> Bucket:
        bucket = BUCKETS_BY_KEY.get(self.kwargs["bucket"])
        if bucket is None:
            raise Http404("No such aging bucket.")
        return bucket

    def currency(self) -> str:
        currency = self.request.GET.get("currency", "EUR").upper()
        if not CURRENCY.fullmatch(currency):
            raise Http404("No such currency.")
        return currency

    def client(self) -> Client | None:
        """The client of `?client=`, which must be one of this organisation's, or None for all."""
        value = self.request.GET.get("client", "")
        if not value:
            return None
        if not is_id(value):
            raise Http404("No such client.")
        return get_object_or_404(Client.objects.for_organization(self.organization), pk=int(value))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bucket, currency, client = self.bucket(), self.currency(), self.client()
        today = timezone.localdate()
        invoices = open_invoices(self.organization.pk, currency).filter(bucket.condition(today))
        if client is not None:
            invoices = invoices.filter(client=client)
        totals = invoices.order_by().aggregate(total=Sum("balance_due"), count=Count("pk"))
        page, query = paginate(self.request, invoices.select_related("client").order_by("due_date", "id"))
        client_id = client.pk if client is not None else None
        context.update(
            bucket=bucket,
            currency=currency,
            client=client,
            today=today,
            page=page,
            query=query,
            rows=[(invoice, max((today - invoice.due_date).days, 0)) for invoice in page],
            total=round_cents(totals["total"] or ZERO),
            count=totals["count"],
            tabs=[(other, bucket_url(other.key, client_id, currency)) for other in BUCKETS],
            all_clients_url=bucket_url(bucket.key, None, currency) if client is not None else "",
        )
        return context
