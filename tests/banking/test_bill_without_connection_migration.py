"""Bills without a connection (received over Peppol): the migration keeps every existing bill, and
the new constraint keeps (organisation, external id) unique for bills without a connection."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.banking.test_migrations import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE: list[tuple[str, str | None]] = [("banking", "0002_bank_transaction_without_redundant_indexes")]
AFTER: list[tuple[str, str | None]] = [("banking", "0003_received_documents")]


@pytest.fixture(autouse=True)
def _back_to_the_latest() -> Iterator[None]:
    yield
    migrate(latest())


def test_existing_bills_survive_and_peppol_bills_stay_unique_per_organisation():
    before = migrate(BEFORE)
    organization = before.get_model("core", "Organization").objects.create(name="Acme BV")
    link = before.get_model("integrations", "Connection").objects.create(organization=organization, provider="yuki")
    before.get_model("banking", "Bill").objects.create(
        organization=organization, connection=link, external_id="y-1", supplier="Peeters", original_amount=Decimal("10")
    )

    after = migrate(AFTER)
    bills = after.get_model("banking", "Bill")
    [kept] = bills.objects.all()
    assert (kept.connection_id, kept.external_id, kept.original_amount, kept.superseded_by_id) == (
        link.pk,
        "y-1",
        Decimal("10.00"),
        None,
    )
    bills.objects.create(organization_id=organization.pk, connection=None, external_id="doc_1", supplier="Peeters")
    with pytest.raises(IntegrityError), transaction.atomic():
        bills.objects.create(organization_id=organization.pk, connection=None, external_id="doc_1", supplier="X")


def test_a_supplier_document_has_one_original_and_any_number_of_repeats():
    after = migrate(AFTER)
    organization = after.get_model("core", "Organization").objects.create(name="Acme BV")
    documents = after.get_model("banking", "ReceivedDocument")
    same = {
        "organization_id": organization.pk,
        "supplier_key": "0765432146",
        "document_type": "INVOICE",
        "number": "DP-2026-0117",
        "issue_date": "2026-02-12",
        "currency": "EUR",
        "supplier_name": "Peeters",
        "receiver_endpoint": "0208:0477472701",
        "xml": b"<Invoice/>",
    }
    original = documents.objects.create(document_id="doc_1", **same)
    documents.objects.create(document_id="doc_2", repeat_of=original, **same)
    documents.objects.create(document_id="doc_3", **{**same, "supplier_key": ""})
    documents.objects.create(document_id="doc_4", **{**same, "supplier_key": ""})  # no key: never a repeat
    with pytest.raises(IntegrityError), transaction.atomic():
        documents.objects.create(document_id="doc_5", **same)
