"""Linking Yuki: paste the access key and pick the region, then pick the administration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from core import crypto
from core.http import OrganizationRequest
from core.models import Role
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from integrations.errors import AuthError, ProviderError
from integrations.models import Connection, Provider
from integrations.yuki import linking
from integrations.yuki.booking import book_in_yuki, booked_in_yuki, yuki_connection_of
from integrations.yuki.client import Administration
from integrations.yuki.forms import AccessKeyForm, AdministrationForm
from integrations.yuki.ledger import holds_money
from integrations.yuki.vat import country_of
from invoices.models import Invoice

PENDING_KEY = "yuki_link"
WRONG_KEY = _(
    "Yuki did not accept this key. Check that it is a web-service access key, that it has rights on "
    "Accounting, and that you chose its country: a Belgian key only works on the Belgian host, and a Dutch one "
    "only on the Dutch host."
)


@organization_required(write_role=Role.ADMIN)
def connect(request: OrganizationRequest) -> HttpResponse:
    form = AccessKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region, key = form.cleaned_data["region"], form.cleaned_data["access_key"]
        try:
            found = linking.administrations_for_key(region, key)
        except AuthError:
            form.add_error("access_key", WRONG_KEY)
        except ProviderError as exc:
            form.add_error(
                None, gettext("Yuki could not be reached: %(reason)s Please try again.") % {"reason": exc.message}
            )
        else:
            if not found:
                form.add_error("access_key", gettext("This key reaches no administration."))
            else:
                # The key waits for the next step encrypted, like every stored secret.
                request.session[PENDING_KEY] = {
                    "region": region,
                    "key": crypto.encrypt(key),
                    "administrations": [
                        {"id": a.id, "name": a.name, "domain_id": a.domain_id or "", "country": a.country or ""}
                        for a in found
                    ],
                }
                return redirect("integrations:yuki_administration")
    return render(request, "integrations/yuki_connect.html", {"form": form})


@organization_required(write_role=Role.ADMIN)
def choose_administration(request: OrganizationRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending:
        messages.info(request, gettext("Start by entering the Yuki access key."))
        return redirect("integrations:yuki_connect")
    form = AdministrationForm(request.POST or None, administrations=pending["administrations"])
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in pending["administrations"] if a["id"] == form.cleaned_data["administration"])
        connection = linking.link(
            organization=request.organization,
            actor=acting_user(request),
            region=pending["region"],
            access_key=crypto.decrypt(pending["key"]),
            administration=Administration(
                id=chosen["id"],
                name=chosen["name"],
                country=chosen["country"] or None,
                domain_id=chosen["domain_id"] or None,
                active=True,
            ),
            request=request,
        )
        del request.session[PENDING_KEY]
        messages.success(
            request,
            gettext("%(connection)s is linked. Choose its bank and cash ledger accounts below.")
            % {"connection": connection},
        )
        return redirect(connection)
    return render(request, "integrations/yuki_administration.html", {"form": form, "region": pending["region"]})


class LedgerAccountsView(ObjectActionView):
    """Load the GL scheme's bank and cash accounts (one call) or save the chosen ones."""

    model = Connection
    write_role = Role.ADMIN

    def act(self, request: HttpRequest, connection: Connection) -> str | None:
        if connection.provider != Provider.YUKI:
            raise ValidationError(gettext("Only a Yuki connection has ledger accounts."))
        config = dict(connection.config)
        if "load" in request.POST:
            try:
                scheme = linking.client_for(connection).gl_account_scheme(str(config["administration_id"]))
            except ProviderError as exc:
                raise ValidationError(
                    gettext("Yuki did not send its ledger accounts: %(reason)s") % {"reason": exc.message}
                ) from exc
            country = country_of(connection)
            config["gl_scheme"] = [
                {"code": a.code, "description": a.description or "", "type": str(a.type or "")}
                for a in scheme
                if holds_money(a, country)
            ]
            loaded = len(config["gl_scheme"])
            messages.success(
                request,
                ngettext(
                    "%(count)s bank and cash ledger account loaded.",
                    "%(count)s bank and cash ledger accounts loaded.",
                    loaded,
                )
                % {"count": loaded},
            )
        else:
            known = {a["code"] for a in config.get("gl_scheme", [])}
            chosen = [code for code in request.POST.getlist("gl_accounts") if code in known]
            config["gl_accounts"] = chosen
            config["book_on_send"] = request.POST.get("book_on_send") == "on"
            messages.success(request, gettext("Saved. The next sync reads the chosen ledger accounts."))
        Connection.objects.filter(pk=connection.pk).update(config=config)
        return None


class BookInYukiView(ObjectActionView):
    model = Invoice

    def act(self, request: HttpRequest, invoice: Invoice) -> str | None:
        connection = yuki_connection_of(invoice)
        if connection is not None and booked_in_yuki(invoice, connection) is not None:
            messages.info(request, gettext("%(number)s is already booked in Yuki.") % {"number": invoice.number})
            return None
        booking = book_in_yuki(invoice, actor=acting_user(request), request=request)
        if booking.succeeded:
            booked = gettext("%(number)s is booked in Yuki.") % {"number": invoice.number}
            messages.success(request, f"{booked} {booking.message}".strip())
        else:
            messages.error(
                request,
                gettext("Yuki did not book %(number)s: %(reason)s")
                % {"number": invoice.number, "reason": booking.message},
            )
        return None

    def get_success_url(self, obj: Invoice) -> str:
        return reverse("invoices:invoice_detail", args=[obj.pk])


class ReplaceKeyView(OrganizationMixin, DetailView[Connection]):
    """Re-authorise a Yuki link: a new access key that still reaches the linked administration."""

    model = Connection
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    template_name = "integrations/yuki_connect.html"

    def get_queryset(self) -> QuerySet[Connection]:
        return Connection.objects.filter(provider=Provider.YUKI).for_organization(self.organization)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = self.get_object()
        form = AccessKeyForm(request.POST or None, initial={"region": connection.config.get("region", "BE")})
        if request.method == "POST" and form.is_valid():
            try:
                linking.replace_key(
                    connection,
                    form.cleaned_data["region"],
                    form.cleaned_data["access_key"],
                    actor=acting_user(request),
                    request=request,
                )
            except AuthError:
                form.add_error("access_key", WRONG_KEY)
            except ValidationError as exc:
                form.add_error("access_key", exc)
            else:
                messages.success(
                    request, gettext("%(connection)s has its new key; syncing resumes.") % {"connection": connection}
                )
                return redirect(connection)
        return render(request, self.template_name, {"form": form, "connection": connection})

    post = get
