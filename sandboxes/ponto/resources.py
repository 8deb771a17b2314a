"""JSON:API documents of the simulated resources, shaped like the SDK fixtures (reference §5)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sandboxes.kit.exact_json import decimal_text
from sandboxes.ponto.encoding import iso_ms
from sandboxes.ponto.records import Account, FinancialInstitution, Synchronization, Transaction

PREFIX = "/ponto-connect"
_REFERENCE_NAMESPACE = uuid.UUID("5f1c3f52-6b0e-4f57-9a3e-4b1d2f1e7a10")


def digest(transaction: Transaction) -> str:
    """A content hash like the bank payload's: identical bookings on one day share it."""
    content = "|".join(
        str(part)
        for part in (
            transaction.account_id,
            iso_ms(transaction.execution_date),
            decimal_text(transaction.amount),
            transaction.counterpart_reference,
            transaction.counterpart_name,
            transaction.remittance_information,
            transaction.description,
        )
    )
    return hashlib.sha256(content.encode()).hexdigest()


def transaction_attributes(transaction: Transaction) -> dict[str, object]:
    return {
        "valueDate": iso_ms(transaction.value_date),
        "executionDate": iso_ms(transaction.execution_date),
        "amount": transaction.amount,
        "currency": transaction.currency,
        "description": transaction.description,
        "remittanceInformationType": transaction.remittance_information_type,
        "remittanceInformation": transaction.remittance_information,
        "counterpartName": transaction.counterpart_name,
        "counterpartReference": transaction.counterpart_reference,
        "bankTransactionCode": transaction.bank_transaction_code,
        "proprietaryBankTransactionCode": transaction.proprietary_bank_transaction_code,
        "purposeCode": transaction.purpose_code,
        "mandateId": transaction.mandate_id,
        "creditorId": transaction.creditor_id,
        "endToEndId": transaction.end_to_end_id,
        "additionalInformation": transaction.additional_information,
        "cardReference": transaction.card_reference,
        "cardReferenceType": transaction.card_reference_type,
        "fee": transaction.fee,
        "internalReference": str(uuid.uuid5(_REFERENCE_NAMESPACE, transaction.id)),
        "digest": digest(transaction),
        "createdAt": iso_ms(transaction.created_at),
        "updatedAt": iso_ms(transaction.updated_at),
    }


def transaction_resource(transaction: Transaction, api: str) -> dict[str, object]:
    return {
        "type": "pendingTransaction" if transaction.pending else "transaction",
        "id": transaction.id,
        "attributes": transaction_attributes(transaction),
        "relationships": {
            "account": {
                "links": {"related": f"{api}/accounts/{transaction.account_id}"},
                "data": {"type": "account", "id": transaction.account_id},
            }
        },
    }


def synchronization_summary(sync: Synchronization, now: datetime) -> dict[str, object]:
    """The synchronization as `meta.latestSynchronization` embeds it."""
    return {
        "type": "synchronization",
        "id": sync.id,
        "attributes": {
            "resourceType": "account",
            "resourceId": sync.account_id,
            "subtype": sync.subtype,
            "status": sync.status(now),
            "errors": list(sync.errors),
            "createdAt": iso_ms(sync.created_at),
            "updatedAt": iso_ms(sync.updated_at(now)),
        },
    }


def synchronization_resource(sync: Synchronization, api: str, now: datetime) -> dict[str, object]:
    resource = synchronization_summary(sync, now)
    base = f"{api}/synchronizations/{sync.id}"
    resource["relationships"] = {
        "updatedTransactions": {"links": {"related": f"{base}/updated-transactions", "meta": {"type": "transaction"}}},
        "updatedPendingTransactions": {
            "links": {"related": f"{base}/updated-pending-transactions", "meta": {"type": "pendingTransaction"}}
        },
    }
    return resource


def account_meta(latest: Synchronization | None, synchronized_at: datetime | None, now: datetime) -> dict[str, object]:
    meta: dict[str, object] = {
        "synchronizedAt": iso_ms(synchronized_at) if synchronized_at else None,
        "availability": "available",
    }
    if latest is not None:
        meta["latestSynchronization"] = synchronization_summary(latest, now)
    return meta


def account_resource(
    account: Account, api: str, latest: Synchronization | None, synchronized_at: datetime | None, now: datetime
) -> dict[str, object]:
    balance = account.current_balance
    changed = iso_ms(account.balance_changed_at)
    observed = iso_ms(synchronized_at or account.balance_changed_at)
    reference_date = iso_ms(account.balance_changed_at.replace(hour=0, minute=0, second=0, microsecond=0))
    attributes: dict[str, object] = {
        "subtype": account.subtype,
        "referenceType": "IBAN",
        "reference": account.iban,
        "product": account.product,
        "internalReference": account.internal_reference,
        "holderName": account.holder_name,
        "description": account.description,
        "deprecated": False,
        "currency": account.currency,
        "currentBalance": balance,
        "currentBalanceReferenceDate": reference_date,
        "currentBalanceChangedAt": changed,
        "currentBalanceVariationObservedAt": observed,
        "availableBalance": balance,
        "availableBalanceReferenceDate": reference_date,
        "availableBalanceChangedAt": changed,
        "availableBalanceVariationObservedAt": observed,
        "authorizedAt": iso_ms(account.authorized_at),
        "authorizationExpirationExpectedAt": iso_ms(account.authorization_expires_at),
    }
    return {
        "type": "account",
        "id": account.id,
        "attributes": attributes,
        "relationships": {
            "financialInstitution": {
                "links": {"related": f"{api}/financial-institutions/{account.financial_institution_id}"},
                "data": {"type": "financialInstitution", "id": account.financial_institution_id},
            },
            "transactions": {
                "links": {"related": f"{api}/accounts/{account.id}/transactions", "meta": {"type": "transaction"}}
            },
            "pendingTransactions": {
                "links": {
                    "related": f"{api}/accounts/{account.id}/pending-transactions",
                    "meta": {"type": "pendingTransaction"},
                }
            },
        },
        "meta": account_meta(latest, synchronized_at, now),
    }


def institution_resource(institution: FinancialInstitution) -> dict[str, object]:
    return {
        "type": "financialInstitution",
        "id": institution.id,
        "attributes": {
            "name": institution.name,
            "status": "stable",
            "deprecated": False,
            "country": institution.country,
            "bic": institution.bic,
            "logoUrl": None,
            "primaryColor": "#7d39ff",
            "secondaryColor": "#3dd5f3",
            "sharedBrandName": None,
            "sharedBrandReference": None,
            "timeZone": "Europe/Brussels",
            "maintenanceFrom": None,
            "maintenanceTo": None,
            "maintenanceType": None,
            "paymentsEnabled": False,
            "paymentsProductTypes": [],
            "bulkPaymentsEnabled": False,
            "bulkPaymentsProductTypes": [],
            "periodicPaymentsEnabled": False,
            "periodicPaymentsProductTypes": [],
            "futureDatedPaymentsAllowed": False,
        },
    }
