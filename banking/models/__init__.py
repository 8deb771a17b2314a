"""The money that moves: bank accounts and transactions, bills (and the Peppol documents some came
from), category rules, reconciliation decisions and recurring flows."""

from __future__ import annotations

from banking.models.accounts import BankAccount, BankTransaction, RawJSONEncoder, TransactionStatus
from banking.models.bills import Bill, supersede_booked_duplicates
from banking.models.einvoices import ReceivedDocument, ReceivedDocumentType
from banking.models.reconciliation import Allocation, Evidence, Match, MatchStatus
from banking.models.recurring import RecurringFlow
from banking.models.rules import CategoryRule, RuleField, RuleOperator

__all__ = [
    "Allocation",
    "BankAccount",
    "BankTransaction",
    "Bill",
    "CategoryRule",
    "Evidence",
    "Match",
    "MatchStatus",
    "RawJSONEncoder",
    "ReceivedDocument",
    "ReceivedDocumentType",
    "RecurringFlow",
    "RuleField",
    "RuleOperator",
    "TransactionStatus",
    "supersede_booked_duplicates",
]
