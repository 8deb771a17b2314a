"""Connection pages: the list, one connection with its accounts and runs, and its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.generic import DetailView

from banking import sources
from banking.models import BankAccount
from core.http import OrganizationRequest, is_id
from core.models import Role
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from core.ratelimit import check as rate_check
from integrations import services
from integrations.connectors import connector_for
from integrations.models import Connection, SyncRun, SyncStatus
from integrations.runner import is_syncing

RUNS_SHOWN = 10


@organization_required()
def connection_list(request: OrganizationRequest) -> HttpResponse:
    connections = (
        Connection.objects.for_organization(request.organization)
        .live()
        .prefetch_related(Prefetch("accounts", queryset=BankAccount.objects.order_by("name", "iban")))
    )
    return render(request, "integrations/connection_list.html", {"connections": connections})


def linked_elsewhere(connection: Connection, accounts: list[BankAccount]) -> list[dict[str, Any]]:
    """The connection's counted accounts whose IBAN another counted link has too, with the other
    links and the one the figures count."""
    groups = sources.linked_elsewhere(
        BankAccount.objects.countable().filter(organization_id=connection.organization_id).select_related("connection")
    )
    found = []
    for account in accounts:
        group = groups.get(sources.same_account_key(account), [])
        if any(member.pk == account.pk for member in group):
            found.append(
                {
                    "account": account,
                    "others": [str(member.connection) for member in group if member.pk != account.pk],
                    "counted_here": group[0].pk == account.pk,
                    "counted_from": str(group[0].connection),
                }
            )
    return found


class ConnectionDetailView(OrganizationMixin, DetailView[Connection]):
    model = Connection
    template_name = "integrations/connection_detail.html"
    context_object_name = "connection"
    write_role = Role.ADMIN

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["accounts"] = accounts = list(self.object.accounts.order_by("name", "iban"))
        context["linked_elsewhere"] = linked_elsewhere(self.object, accounts)
        context["runs"] = list(self.object.runs.all()[:RUNS_SHOWN])
        context["intervals"] = services.SYNC_INTERVALS
        context.update(connector_for(self.object.provider).page_context(self.object))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Choose the accounts to include, and say which bank account each ledger account is."""
        connection = self.get_object()
        chosen = [int(value) for value in request.POST.getlist("accounts") if is_id(value)]
        ibans = {
            int(name.removeprefix("iban-")): str(request.POST.get(name, ""))
            for name in request.POST
            if name.startswith("iban-") and is_id(name.removeprefix("iban-"))
        }
        try:
            with transaction.atomic():
                services.set_included_accounts(connection, chosen, actor=acting_user(request), request=request)
                if ibans:
                    services.set_ledger_ibans(connection, ibans, actor=acting_user(request), request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The accounts to include are saved; the next sync uses them."))
        return redirect(connection)


class ConnectionStatusView(OrganizationMixin, DetailView[Connection]):
    """The latest run as JSON, polled by the page while a sync runs."""

    model = Connection

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        connection = self.get_object()
        run: SyncRun | None = connection.runs.first()
        syncing = is_syncing(connection)
        return JsonResponse(
            {
                "connection": connection.pk,
                "status": connection.status,
                "syncing": syncing,
                "progress": sync_progress(run) if syncing else "",
                "last_success_at": connection.last_success_at,
                "run": None
                if run is None
                else {
                    "id": run.pk,
                    "status": run.status,
                    "pages": run.pages_fetched,
                    "added": run.rows_added,
                    "updated": run.rows_updated,
                    "unchanged": run.rows_unchanged,
                    "error": run.error_message,
                },
            }
        )


def sync_progress(run: SyncRun | None) -> str:
    """How far a running sync got, in words for the page that polls it."""
    if run is None or run.status != SyncStatus.RUNNING:
        return gettext("Sync queued…")
    return ngettext(
        "Syncing… %(pages)s page fetched, %(added)s new, %(updated)s updated.",
        "Syncing… %(pages)s pages fetched, %(added)s new, %(updated)s updated.",
        run.pages_fetched,
    ) % {"pages": run.pages_fetched, "added": run.rows_added, "updated": run.rows_updated}


class SyncNowView(ObjectActionView):
    model = Connection

    def get_queryset(self) -> QuerySet[Connection]:
        return Connection.objects.live().for_organization(self.organization)

    def act(self, request: HttpRequest, connection: Connection) -> str | None:
        wait = rate_check(request, "sync")
        if wait is not None:
            raise ValidationError(
                ngettext(
                    "Syncs were asked for too often. Please wait %(seconds)s second.",
                    "Syncs were asked for too often. Please wait %(seconds)s seconds.",
                    wait,
                )
                % {"seconds": wait}
            )
        if services.request_sync(connection):
            messages.success(request, gettext("Sync started. This page shows its progress."))
        else:
            messages.info(request, gettext("A sync of this connection is already running; its result will show here."))
        return None


class ReauthoriseView(ObjectActionView):
    model = Connection
    write_role = Role.ADMIN

    def act(self, request: HttpRequest, connection: Connection) -> str | None:
        return connector_for(connection.provider).reauthorisation_url(request, self.organization, connection)


class DisconnectView(ObjectActionView):
    model = Connection
    write_role = Role.ADMIN

    def act(self, request: HttpRequest, connection: Connection) -> str | None:
        warning = services.disconnect(connection, actor=acting_user(request), request=request)
        if warning:
            messages.warning(request, warning)
        messages.success(
            request,
            gettext("%(connection)s is disconnected; its data stays, no new data arrives.")
            % {"connection": connection},
        )
        return reverse("integrations:connection_list")


class PreferredSourceView(ObjectActionView):
    """Count an IBAN linked through several connections from this account's connection."""

    model = BankAccount
    write_role = Role.ADMIN

    def act(self, request: HttpRequest, account: BankAccount) -> str | None:
        services.set_preferred_source(account, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(iban)s is now counted from %(connection)s.")
            % {"iban": account.iban, "connection": account.connection},
        )
        return None

    def get_success_url(self, obj: Any) -> str:
        return str(obj.connection.get_absolute_url())


class SyncIntervalView(ObjectActionView):
    model = Connection
    write_role = Role.ADMIN

    def act(self, request: HttpRequest, connection: Connection) -> str | None:
        try:
            minutes = int(request.POST.get("minutes", ""))
        except ValueError as exc:
            raise ValidationError(gettext("Choose one of the offered sync intervals.")) from exc
        services.set_sync_interval(connection, minutes, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(connection)s now syncs %(interval)s.")
            % {"connection": connection, "interval": services.SYNC_INTERVALS[minutes]},
        )
        return None
