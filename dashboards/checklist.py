"""The first steps of a new organisation, each ticked once done: connect the bank (Ponto), link
Yuki, create or import an invoice, invite a colleague. The overview shows them until all are
done; from then on (remembered per organisation) it no longer asks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.links import link
from core.memory import memory
from core.models import Invitation, Membership
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


# Every overview of an organisation still setting up asks this: as raw SQL on the models' own
# tables, which skips the ORM's query building (most of the check's ~7 ms on a busy worker).
_COLLEAGUE_SQL = """
SELECT EXISTS (SELECT 1 FROM {members} WHERE {member_org} = %s LIMIT 1 OFFSET 1)
    OR EXISTS (
        SELECT 1 FROM {invitations}
        WHERE {invitation_org} = %s AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > %s
    )
""".format(  # noqa: S608  (the models' own names)
    members=Membership._meta.db_table,
    member_org=Membership._meta.get_field("organization").column,
    invitations=Invitation._meta.db_table,
    invitation_org=Invitation._meta.get_field("organization").column,
)


def has_colleague(organization_id: int) -> bool:
    """A second member, or a pending invitation (as Invitation.objects.pending()): one query."""
    with connection.cursor() as cursor:
        cursor.execute(_COLLEAGUE_SQL, [organization_id, organization_id, timezone.now()])
        row = cursor.fetchone()
    return bool(row and row[0])


def steps(organization_id: int, linked_providers: Collection[str], invoices_exist: bool) -> list[Step]:
    """The four first steps and whether each is done. The linked providers come from the
    connection banners' cache and whether an invoice exists from the overview's figures, so
    only the colleagues cost a query."""
    return [
        Step(
            "bank",
            _("Connect your bank through Ponto"),
            _("Balances and transactions arrive by themselves, every few hours."),
            link("integrations:connection_list"),
            Provider.PONTO in linked_providers,
        ),
        Step(
            "yuki",
            _("Link your Yuki administration"),
            _("Bills and bookings from your accountant's ledger join the figures."),
            link("integrations:yuki_connect"),
            Provider.YUKI in linked_providers,
        ),
        Step(
            "invoice",
            _("Create or import an invoice"),
            _("Open invoices feed the receivables and the forecast."),
            link("invoices:invoice_create"),
            invoices_exist,
        ),
        Step(
            "colleague",
            _("Invite a colleague"),
            _("Share the figures with your bookkeeper or a partner."),
            link("organization_members"),
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
