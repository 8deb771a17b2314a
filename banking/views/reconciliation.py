"""Reconciliation pages: the review list, one match with its choices, and one POST view per decision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import DetailView

from banking import reconciliation
from banking.models import Allocation, Match, MatchStatus
from core.formatting import format_money, format_number
from core.http import OrganizationRequest
from core.models import AuditEvent, Role
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from invoices.forms import MoneyField
from invoices.models import Invoice
from invoices.models.invoices import OPEN_STATUSES

RECENTLY_APPLIED = 20
SPLIT_PREFIX = "amount-"
# The audit log is append-only: decisions recorded before Match moved to the banking app keep
# the label it had then.
MATCH_TARGET_TYPES = [Match._meta.label_lower, "dashboards.match"]


def _can_write(request: OrganizationRequest) -> bool:
    return request.membership.has_role(Role.FINANCE)


def _candidates() -> Prefetch[Any]:
    return Prefetch("candidates", queryset=Invoice.objects.order_by("due_date", "id"))


@organization_required()
def reconciliation_list(request: OrganizationRequest) -> HttpResponse:
    matches = Match.objects.filter(organization=request.organization).select_related("transaction")
    to_review = matches.filter(status__in=reconciliation.DECIDABLE).prefetch_related(_candidates())
    page, query = paginate(request, to_review.order_by("transaction__execution_date", "pk"))
    applied = list(
        matches.filter(status=MatchStatus.APPLIED, automatic=True)
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
        .order_by("-decided_at", "-pk")[:RECENTLY_APPLIED]
    )
    context = {"page": page, "query": query, "applied": applied, "can_write": _can_write(request)}
    return render(request, "banking/reconciliation_list.html", context)


def payable_invoices(match: Match) -> list[Invoice]:
    """What the transaction may pay: its candidates, and the other open invoices of their clients."""
    candidates = list(match.candidates.all())
    return list(
        Invoice.objects.filter(organization_id=match.organization_id)
        .filter(
            Q(pk__in=[invoice.pk for invoice in candidates])
            | Q(
                client_id__in={invoice.client_id for invoice in candidates},
                status__in=OPEN_STATUSES,
                balance_due__gt=0,
                currency=match.transaction.currency,
            )
        )
        .select_related("client")
        .order_by("due_date", "id")
    )


class MatchDetailView(OrganizationMixin, DetailView[Match]):
    model = Match
    template_name = "banking/match_detail.html"
    context_object_name = "match"

    def get_queryset(self) -> QuerySet[Match]:
        return super().get_queryset().select_related("transaction", "transaction__account", "decided_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        match: Match = self.object
        candidate_ids = set(match.candidates.values_list("pk", flat=True))
        invoices = payable_invoices(match)
        context["candidates"] = [invoice for invoice in invoices if invoice.pk in candidate_ids]
        context["review_reason"] = reconciliation.review_reason(match, context["candidates"])
        context["others"] = [invoice for invoice in invoices if invoice.pk not in candidate_ids]
        context["split_prefix"] = SPLIT_PREFIX
        context["amount_placeholder"] = format_number(Decimal("0"), 2)
        context["allocations"] = list(match.allocations.select_related("invoice", "payment"))
        context["decidable"] = match.status in reconciliation.DECIDABLE
        context["can_write"] = _can_write(self.organization_request)
        context["history"] = list(
            AuditEvent.objects.filter(
                organization=match.organization_id, target_type__in=MATCH_TARGET_TYPES, target_id=str(match.pk)
            )[:20]
        )
        return context


class MatchAction(ObjectActionView):
    """A decision on a match: back to the review list when done, to the match when refused."""

    model = Match

    def get_success_url(self, obj: Any) -> str:
        return reverse("banking:reconciliation")

    def get_failure_url(self, obj: Any) -> str:
        return reverse("banking:match_detail", args=[obj.pk])


def chosen_invoice(match: Match, value: str | None) -> Invoice:
    try:
        invoice_id = forms.IntegerField(min_value=1, max_value=2**63 - 1).clean(value)
    except ValidationError:
        raise ValidationError(gettext("Pick the invoice this transaction pays.")) from None
    for invoice in payable_invoices(match):
        if invoice.pk == invoice_id:
            return invoice
    raise ValidationError(gettext("That invoice cannot be paid from this transaction: pick one of those offered."))


def _split_amounts(match: Match, data: dict[str, str]) -> dict[Invoice, Decimal]:
    # Typed the page's language's way: 120,50 in Dutch and French (a point works too).
    field = MoneyField(min_value=Decimal("0.01"))
    amounts: dict[Invoice, Decimal] = {}
    errors: list[str] = []
    for invoice in payable_invoices(match):
        raw = data.get(f"{SPLIT_PREFIX}{invoice.pk}", "").strip()
        if not raw:
            continue
        try:
            amount = field.clean(raw)
        except ValidationError as exc:
            errors.append(
                gettext("%(number)s: “%(amount)s” is not a valid amount. %(problem)s")
                % {"number": invoice.number, "amount": raw[:20], "problem": " ".join(exc.messages)}
            )
            continue
        amounts[invoice] = amount
    if errors:
        raise ValidationError(errors)
    if not amounts:
        raise ValidationError(gettext("Enter the amount paid to each invoice of the split."))
    return amounts


class ConfirmMatchView(MatchAction):
    def act(self, request: HttpRequest, match: Match) -> str | None:
        invoice = chosen_invoice(match, request.POST.get("invoice"))
        reconciliation.confirm(match, invoice, actor=acting_user(request), request=request)
        received = format_money(match.transaction.amount, match.transaction.currency)
        paid = gettext("%(amount)s recorded as paid on %(number)s.") % {"amount": received, "number": invoice.number}
        messages.success(request, paid)
        return None


class SplitMatchView(MatchAction):
    def act(self, request: HttpRequest, match: Match) -> str | None:
        amounts = _split_amounts(match, request.POST.dict())
        reconciliation.split(match, amounts, actor=acting_user(request), request=request)
        numbers = ", ".join(sorted(invoice.number for invoice in amounts))
        messages.success(request, gettext("The transaction is split over %(numbers)s.") % {"numbers": numbers})
        return None


class RejectMatchView(MatchAction):
    def act(self, request: HttpRequest, match: Match) -> str | None:
        reconciliation.reject(match, actor=acting_user(request), request=request)
        messages.success(request, gettext("Rejected: this transaction will not be matched again."))
        return None


class ReverseMatchView(MatchAction):
    def act(self, request: HttpRequest, match: Match) -> str | None:
        reconciliation.reverse(match, actor=acting_user(request), request=request)
        messages.success(request, gettext("Reversed: its payments are deleted and the invoices owe again."))
        return None
