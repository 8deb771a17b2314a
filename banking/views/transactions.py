"""The transactions screen: search, filter, page, total, export and categorise the bank
transactions; one transaction's page; a rule made from a transaction, previewed, then applied."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, TemplateView, View

from banking import services, transactions
from banking.forms import BulkCategorizeForm, CategorizeForm, CategoryRuleForm, TransactionFilterForm
from banking.models import Allocation, BankTransaction, CategoryRule, Match, RuleField, RuleOperator
from banking.templatetags.transaction_rows import category_options
from banking.views.reconciliation import MATCH_TARGET_TYPES
from core.csv import csv_response
from core.http import own_page
from core.memory import rendered
from core.models import AuditEvent, Role
from core.permissions import ObjectActionView, OrganizationMixin, acting_user
from dashboards.state import cache_key, cached, state_for

LIST_URL = "banking:transactions"
HISTORY_EVENTS = 30


def _back(request: HttpRequest, fallback: str) -> str:
    """Where a categorising form came from (its `next`), when it is one of our own pages."""
    return own_page(request, request.POST.get("next", ""), fallback)


def _said_categorized(request: HttpRequest, count: int, category: str) -> None:
    if not count:
        messages.info(request, _("Nothing changed: those transactions were already in that category."))
    elif category:
        text = ngettext(
            "%(count)s transaction put in %(category)s.", "%(count)s transactions put in %(category)s.", count
        )
        messages.success(request, text % {"count": count, "category": category})
    else:
        text = ngettext(
            "%(count)s transaction left uncategorised.", "%(count)s transactions left uncategorised.", count
        )
        messages.success(request, text % {"count": count})


class FilteredTransactionsMixin(OrganizationMixin):
    """The current organisation's transactions as the GET parameters filter them."""

    def filter_form(self, categories: list[str] | None = None) -> TransactionFilterForm:
        organization_id = self.organization.pk
        return TransactionFilterForm(
            self.organization_request.GET or None,
            organization=self.organization,
            categories=transactions.known_categories(organization_id) if categories is None else categories,
        )

    def checked_filters(
        self, version: int, categories: list[str], query: str
    ) -> tuple[transactions.TransactionFilters, str]:
        """The valid filters of the GET parameters (but the cursor) and the filter form showing
        them with its errors, kept under the data version (the accounts, sources and categories
        it offers change with it)."""

        def check() -> tuple[transactions.TransactionFilters, str]:
            form = self.filter_form(categories)
            filters = form.filters() if form.is_bound else transactions.TransactionFilters()
            return filters, render_to_string("banking/_transaction_filters.html", {"form": form})

        key = cache_key(self.organization.pk, version, "transaction-filters", query)
        filters, html = cached(key, check)
        return filters, mark_safe(html)  # noqa: S308  (our template's output)


# Where each form's CSRF token goes in a cached copy of the rows: escaped text never reads as a comment.
CSRF_SLOT = "<!-- csrf token -->"


class TransactionListView(FilteredTransactionsMixin, TemplateView):
    """GET: a page of the filtered transactions with their totals. POST: categorise the ticked ones.

    The filter form and the page's rows are most of its work: both are kept, rendered, under
    everything they show, the organisation's data version first (every categorise, sync and
    match moves it on), so a repeat view neither reads nor renders them. The filters with their
    form, the totals and the categories in the shared cache (dashboards.state); the rows, which
    hold the CSRF token's place, in this process's memory (core.memory)."""

    template_name = "banking/transactions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.organization_request
        organization_id = self.organization.pk
        version = state_for(organization_id).data_version
        categories = transactions.known_categories(organization_id, version=version)
        params = request.GET.copy()
        after = params.pop("after", [""])[-1]
        query = params.urlencode()
        filters, filter_form = self.checked_filters(version, categories, query)
        return super().get_context_data(
            # Built only when read (the tests read it): the filter form's HTML is kept above.
            form=SimpleLazyObject(lambda: self.filter_form(categories)),
            filter_form=filter_form,
            page=SimpleLazyObject(lambda: transactions.page(transactions.screen_rows(organization_id, filters), after)),
            rows=self.rows(version, categories, filters, after, query),
            totals=transactions.ready_totals(organization_id, filters, version=version),
            totals_url=reverse("banking:transaction_totals") + (f"?{query}" if query else ""),
            query=query,
            **kwargs,
        )

    def rows(
        self,
        version: int,
        categories: list[str],
        filters: transactions.TransactionFilters,
        after: str,
        query: str,
    ) -> SafeString:
        """The bulk form, the page's rows with their category forms, and the links to the next
        page: rendered once per process for everything they show, the request's CSRF token put in."""
        request = self.organization_request
        organization_id = self.organization.pk
        can_write = self.membership.has_role(Role.FINANCE)
        back = request.get_full_path()

        def context() -> dict[str, Any]:
            return {
                "page": transactions.page(transactions.screen_rows(organization_id, filters), after),
                "query": query,
                "back": back,
                "can_write": can_write,
                "categories": categories,
                "category_options": category_options(categories, _("Uncategorised")),
                "detail_base": reverse(LIST_URL),
                "csrf_input": mark_safe(CSRF_SLOT),  # noqa: S308  (a constant)
                "pending": _("Pending"),
                "no_counterparty": _("(no counterparty)"),
                "uncategorised": _("Uncategorised"),
                "category_label": _("Category"),
                "save_label": _("Save"),
                "rule_label": _("Always categorise like this"),
            }

        shown = (organization_id, version, filters.key(), after, back, can_write, tuple(categories))
        html = rendered("banking/_transaction_rows.html", shown, context)
        return mark_safe(html.replace(CSRF_SLOT, csrf_input(request)))  # noqa: S308  (ours and Django's)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkCategorizeForm(request.POST)
        fallback = reverse(LIST_URL)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
            return HttpResponseRedirect(_back(request, fallback))
        category = form.cleaned_data["category"]
        count = services.categorize_transactions(
            self.organization, form.cleaned_data["ids"], category, actor=acting_user(request), request=request
        )
        _said_categorized(request, count, category)
        return HttpResponseRedirect(_back(request, fallback))


class TransactionTotalsView(FilteredTransactionsMixin, TemplateView):
    """In, out, net and count of the filtered set, when they take a pass over its rows: the screen
    shows its rows first and its script fetches these (`X-Requested-With: fetch`) as a fragment;
    without the script, its link opens them as a page."""

    def get_template_names(self) -> list[str]:
        fetched = self.organization_request.headers.get("X-Requested-With") == "fetch"
        return ["banking/_transaction_totals.html" if fetched else "banking/transaction_totals.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        organization_id = self.organization.pk
        version = state_for(organization_id).data_version
        query = self.organization_request.GET.urlencode()
        categories = transactions.known_categories(organization_id, version=version)
        filters, _form = self.checked_filters(version, categories, query)
        return super().get_context_data(
            totals=transactions.totals(organization_id, filters, version=version), query=query, **kwargs
        )


class TransactionCsvView(FilteredTransactionsMixin, View):
    """The filtered set as CSV, streamed in the screen's order."""

    HEADER = [
        "date",
        "value_date",
        "status",
        "account",
        "iban",
        "amount",
        "currency",
        "counterparty",
        "counterparty_iban",
        "description",
        "remittance",
        "category",
    ]

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = self.filter_form()
        filters = form.filters() if form.is_bound else transactions.TransactionFilters()
        rows = transactions.filtered(self.organization.pk, filters).select_related("account")
        lines = (
            (
                row.execution_date,
                row.value_date,
                row.status,
                row.account.name,
                row.account.iban,
                row.amount,
                row.currency,
                row.counterpart_name,
                row.counterpart_iban,
                row.description,
                row.remittance_information,
                row.category,
            )
            for row in transactions.in_order(rows)
        )
        return csv_response("transactions", self.HEADER, lines)


class TransactionDetailView(OrganizationMixin, DetailView[BankTransaction]):
    model = BankTransaction
    template_name = "banking/transaction_detail.html"
    context_object_name = "transaction"

    def get_queryset(self) -> QuerySet[BankTransaction]:
        return super().get_queryset().select_related("account", "connection")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        row: BankTransaction = self.object
        match = Match.objects.filter(transaction=row).first()
        allocations = list(Allocation.objects.filter(match=match).select_related("invoice", "payment")) if match else []
        history_of = Q(target_type=BankTransaction._meta.label_lower, target_id=str(row.pk))
        if match is not None:
            history_of |= Q(target_type__in=MATCH_TARGET_TYPES, target_id=str(match.pk))
        return super().get_context_data(
            match=match,
            allocations=allocations,
            bills=list(row.paid_bills.all()),
            history=list(AuditEvent.objects.filter(history_of, organization=self.organization)[:HISTORY_EVENTS]),
            raw_json=json.dumps(row.raw, indent=2, ensure_ascii=False, sort_keys=True),
            categories=transactions.known_categories(self.organization.pk),
            can_write=self.membership.has_role(Role.FINANCE),
            **kwargs,
        )


class CategorizeTransactionView(ObjectActionView):
    """POST: one transaction's category, from its row on the screen or from its page."""

    model = BankTransaction

    def act(self, request: HttpRequest, obj: Any) -> str | None:
        form = CategorizeForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
            return _back(request, obj.get_absolute_url())
        category = form.cleaned_data["category"]
        count = services.categorize_transactions(
            self.organization, [obj.pk], category, actor=acting_user(request), request=request
        )
        _said_categorized(request, count, category)
        return _back(request, obj.get_absolute_url())


def rule_from(row: BankTransaction) -> CategoryRule:
    """The rule a transaction suggests: its counterparty's IBAN, else its name, else its text;
    the same direction; its category (if any)."""
    if row.counterpart_iban:
        field, value = RuleField.COUNTERPART_IBAN, row.counterpart_iban
    elif row.counterpart_name:
        field, value = RuleField.COUNTERPART_NAME, row.counterpart_name
    else:
        field, value = RuleField.REMITTANCE, (row.remittance_information or row.description)[:200]
    return CategoryRule(
        organization_id=row.organization_id,
        category=row.category,
        field=field,
        operator=RuleOperator.EQUALS if field == RuleField.COUNTERPART_IBAN else RuleOperator.CONTAINS,
        value=value,
        amount_min=Decimal("0.01") if row.amount > 0 else None,
        amount_max=Decimal("-0.01") if row.amount < 0 else None,
    )


class RuleFromTransactionView(OrganizationMixin, DetailView[BankTransaction]):
    """ "Always categorise like this": a rule form prefilled from the transaction. Posting it with
    `preview` shows how many past transactions it would change and a few of them; with `apply`
    it creates the rule and recategorises exactly those."""

    model = BankTransaction
    template_name = "banking/transaction_rule.html"
    context_object_name = "transaction"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "form" not in kwargs:
            kwargs["form"] = CategoryRuleForm(instance=rule_from(self.object))
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        rule = CategoryRule(organization=self.organization)
        form = CategoryRuleForm(request.POST, instance=rule)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if "apply" not in request.POST:
            preview = services.preview_rule(form.instance)
            return self.render_to_response(self.get_context_data(form=form, preview=preview))
        count = services.apply_new_rule(
            form.instance, organization=self.organization, actor=acting_user(request), request=request
        )
        text = ngettext(
            "Rule saved; %(count)s past transaction moved to %(category)s.",
            "Rule saved; %(count)s past transactions moved to %(category)s.",
            count,
        )
        messages.success(request, text % {"count": count, "category": form.instance.category})
        return redirect(self.object.get_absolute_url())
