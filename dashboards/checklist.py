"""The first steps of a new organisation, each ticked once done: connect the bank (Ponto), link
Yuki, create or import an invoice, invite a colleague. The overview shows them until all are
done; from then on (remembered per organisation) it no longer asks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, Subquery
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.memory import memory
from core.models import Invitation, Membership, Organization
from integrations.models import Provider

# Once every step is done it stays done for the checklist: a month, then one check again.
DONE_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    help: str | Promise
    url: str
    done: bool


def _done_key(organization_id: int) -> str:
    return f"dash:checklist-done:{organization_id}"


def has_colleague(organization_id: int) -> bool:
    """A second member, or an invitation on its way: one query."""
    first_member = Membership.objects.filter(organization_id=organization_id).order_by("pk").values("pk")[:1]
    others = Membership.objects.filter(organization_id=organization_id, pk__gt=Subquery(first_member))
    invited = Invitation.objects.filter(organization_id=organization_id).pending()
    row = Organization.objects.filter(pk=organization_id).values_list(Exists(others), Exists(invited)).first()
    return bool(row and any(row))


def steps(organization_id: int, linked_providers: Collection[str], invoices_exist: bool) -> list[Step]:
    """The four first steps and whether each is done. The linked providers come from the
    connection banners' cache and whether an invoice exists from the overview's figures, so
    only the colleagues cost a query."""
    return [
        Step(
            "bank",
            _("Connect your bank through Ponto"),
            _("Balances and transactions arrive by themselves, every few hours."),
            reverse("integrations:connection_list"),
            Provider.PONTO in linked_providers,
        ),
        Step(
            "yuki",
            _("Link your Yuki administration"),
            _("Bills and bookings from your accountant's ledger join the figures."),
            reverse("integrations:yuki_connect"),
            Provider.YUKI in linked_providers,
        ),
        Step(
            "invoice",
            _("Create or import an invoice"),
            _("Open invoices feed the receivables and the forecast."),
            reverse("invoices:invoice_create"),
            invoices_exist,
        ),
        Step(
            "colleague",
            _("Invite a colleague"),
            _("Share the figures with your bookkeeper or a partner."),
            reverse("organization_members"),
            has_colleague(organization_id),
        ),
    ]


def open_steps(organization_id: int, linked_providers: Collection[str], invoices_exist: bool) -> list[Step] | None:
    """The checklist while a step is left, else None (no query once all were seen done)."""
    key = _done_key(organization_id)
    if memory.get(key):
        return None
    if cache.get(key):
        memory.set(key, True, 60)
        return None
    checklist = steps(organization_id, linked_providers, invoices_exist)
    if all(step.done for step in checklist):
        cache.set(key, True, DONE_SECONDS)
        memory.set(key, True, 60)
        return None
    return checklist
