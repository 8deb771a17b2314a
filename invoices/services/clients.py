"""Clients and their bank accounts, audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from core.audit import record_event
from core.models import Organization, User
from core.validators import normalize_iban
from invoices.models import BillingProfile, Client, ClientBankAccount
from invoices.models.clients import default_document_language

CLIENT_FIELDS = (
    "name",
    "email",
    "phone",
    "vat_number",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "language",
    "payment_terms_days",
    "currency",
    "opening_balance",
    "notes",
    "external_code",
    "preferred_channel",
    "whatsapp_number",
)


def _snapshot(client: Client, ibans: Sequence[str]) -> dict[str, Any]:
    return {**{field: getattr(client, field) for field in CLIENT_FIELDS}, "ibans": sorted(ibans)}


def _set_ibans(client: Client, ibans: Sequence[str]) -> None:
    wanted = {normalize_iban(iban) for iban in ibans if iban.strip()}
    client.bank_accounts.exclude(iban__in=wanted).delete()
    existing = set(client.bank_accounts.values_list("iban", flat=True))
    ClientBankAccount.objects.bulk_create(
        ClientBankAccount(organization_id=client.organization_id, client=client, iban=iban)
        for iban in sorted(wanted - existing)
    )


@transaction.atomic
def save_client(
    client: Client,
    *,
    organization: Organization,
    ibans: Sequence[str] = (),
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Client:
    """Create or update `client` (a form's unsaved instance) with exactly these IBANs."""
    creating = client.pk is None
    before = (
        None
        if creating
        else _snapshot(Client.objects.get(pk=client.pk), list(client.bank_accounts.values_list("iban", flat=True)))
    )
    client.organization = organization
    client.save()
    _set_ibans(client, ibans)
    record_event(
        "client.created" if creating else "client.updated",
        request=request,
        actor=actor,
        organization=organization,
        target=client,
        before=before,
        after=_snapshot(client, [normalize_iban(i) for i in ibans if i.strip()]),
    )
    return client


def new_client_language(organization: Organization, user: User) -> str:
    """The document language a client created by `user` starts with."""
    country = BillingProfile.objects.filter(organization=organization).values_list("country", flat=True)
    return default_document_language(country.first() or "BE", user.language or translation.get_language())
