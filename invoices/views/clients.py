"""Client pages: list with figures, detail with statistics, statement, create and edit."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import DetailView

from core.http import OrganizationRequest
from core.links import link
from core.memory import rendered
from core.models import Role
from core.pagination import page_request, paginate
from core.permissions import OrganizationMixin, acting_user, organization_required
from core.widgets import LocalDateInput
from invoices import services
from invoices.balances import client_balances, statement
from invoices.forms import ClientForm, SearchForm
from invoices.models import Client, Invoice
from invoices.statistics import average_days_to_pay


@organization_required()
def client_list(request: OrganizationRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    clients = Client.objects.for_organization(request.organization).search(search.text())
    page, query = paginate(request, clients.with_figures().order_by("name", "id"))
    return render(
        request, "invoices/client_list.html", {"page": page, "query": query, "q": search.text(), "search": search}
    )


class ClientDetailView(OrganizationMixin, DetailView[Client]):
    model = Client
    template_name = "invoices/client_detail.html"
    context_object_name = "client"

    def get_queryset(self) -> QuerySet[Client]:
        return Client.objects.for_organization(self.organization).with_figures()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        client = self.object
        context["balances"] = client_balances(client)
        context["average_days_to_pay"] = average_days_to_pay(client)
        context["recent_invoices"] = Invoice.objects.filter(client=client).order_by("-issue_date", "-id")[:10]
        return context


class ClientStatementView(OrganizationMixin, DetailView[Client]):
    model = Client
    template_name = "invoices/client_statement.html"
    context_object_name = "client"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        client = self.object
        since = statement_start(self.request.GET.get("from", ""))
        number, query = page_request(self.request)
        account = statement(client, since, number)
        # The body is rendered once per process for each combination of what it shows (core.memory):
        # a repeat view costs the statement's two queries and one read of memory.
        shown = (
            client.pk,
            client.name,
            since,
            query,
            account.opening,
            [tuple(vars(movement).values()) for movement in account.movements],
            account.page.number,
            account.page.has_next,
        )
        context["body"] = rendered(
            "invoices/_client_statement_body.html",
            shown,
            # Rows link to invoices/<pk>/: one reverse() for the page instead of one a row.
            lambda: {
                "client": client,
                "statement": account,
                "page": account.page,
                "query": query,
                "since": since,
                "since_input": LocalDateInput(attrs={"id": "statement-from"}).render("from", since),
                "invoice_base": link("invoices:invoice_list"),
            },
        )
        return context


def statement_start(given: str) -> datetime.date | None:
    """The first day shown: as asked (`all` for everything), else a year back from this month."""
    if given == "all":
        return None
    try:
        # As the page's language writes dates (05-12-2026), or ISO.
        start = forms.DateField().to_python(given)
    except ValidationError:
        start = None
    if start is None:
        today = timezone.localdate()
        return today.replace(year=today.year - 1, day=1)
    return start


def _save_client_form(request: OrganizationRequest, client: Client | None) -> HttpResponse:
    default_language = services.new_client_language(request.organization, request.user) if client is None else "en"
    form = ClientForm(request.POST or None, instance=client, default_language=default_language)
    if request.method == "POST" and form.is_valid():
        saved = services.save_client(
            form.save(commit=False),
            organization=request.organization,
            ibans=form.cleaned_data["ibans"],
            actor=acting_user(request),
            request=request,
        )
        messages.success(request, gettext("%(name)s is saved.") % {"name": saved.name})
        return redirect(saved)
    return render(request, "invoices/client_form.html", {"form": form, "client": client})


@organization_required(write_role=Role.FINANCE)
def client_create(request: OrganizationRequest) -> HttpResponse:
    return _save_client_form(request, None)


class ClientEditView(OrganizationMixin, DetailView[Client]):
    model = Client

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _save_client_form(self.organization_request, self.get_object())

    post = get
