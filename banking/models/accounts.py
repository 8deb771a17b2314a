"""Provider-neutral bank accounts and transactions: every provider feeds these tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Concat, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Organization, TenantModel, TenantQuerySet
from integrations.models.connections import Connection, counted_q

# The tables keep the names they had before the models moved to this app: the move changed no row.


class RawJSONEncoder(DjangoJSONEncoder):
    """Keeps provider amounts as JSON numbers in the raw copy (they are read as Decimal)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


# The subtype of accounts whose IBAN the provider does not give: Yuki's bank ledger accounts.
LEDGER_SUBTYPE = "ledger"


class BankAccountQuerySet(TenantQuerySet["BankAccount"]):
    def countable(self) -> BankAccountQuerySet:
        """Included accounts of counted connections: what the figures count, before an IBAN
        linked through several connections is reduced to its one source (banking.sources)."""
        return self.filter(counted_q("connection__"), included=True)


class BankAccount(TenantModel):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="accounts")
    external_id = models.CharField(max_length=64)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    name = models.CharField(max_length=200, blank=True)
    holder_name = models.CharField(max_length=200, blank=True)
    subtype = models.CharField(max_length=32, blank=True)
    current_balance = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    current_balance_date = models.DateTimeField(null=True, blank=True)
    available_balance = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    authorization_expires_at = models.DateTimeField(null=True, blank=True)
    synchronized_at = models.DateTimeField(null=True, blank=True)
    included = models.BooleanField(default=True, help_text=_("Synced and counted in the dashboards."))
    # The same IBAN linked through several connections is counted once: from the account the
    # user chose as its source, or by default from the bank's own feed (Ponto) over a ledger.
    preferred_source = models.BooleanField(default=False)
    # High-water mark: the newest transaction id seen when the last walk completed.
    newest_transaction_id = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict, encoder=RawJSONEncoder)

    objects = BankAccountQuerySet.as_manager()

    # Not stored: the names of the other connections that link the same IBAN, set on the account
    # the figures count in their stead (banking.sources).
    other_sources: tuple[str, ...] = ()

    class Meta:
        db_table = "integrations_bankaccount"
        ordering = ["name", "iban"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="bank_account_unique_external_id")
        ]

    def __str__(self) -> str:
        return f"{self.name or 'Account'} {self.iban}".strip()

    @property
    def is_ledger(self) -> bool:
        return self.subtype == LEDGER_SUBTYPE


class TransactionStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    PENDING = "pending", _("Pending")


# Between the searched fields in `search_text`: a line break, which a search box cannot hold, so a
# search never matches across two fields.
SEARCH_SEPARATOR = "\n"
SEARCHED_FIELDS = ("counterpart_name", "counterpart_iban", "description", "remittance_information")


def _search_text() -> Upper:
    parts: list[Any] = []
    for name in SEARCHED_FIELDS:
        parts += [name, models.Value(SEARCH_SEPARATOR)]
    return Upper(Concat(*parts[:-1], output_field=models.TextField()))


class BankTransactionQuerySet(TenantQuerySet["BankTransaction"]):
    def newest_first(self) -> BankTransactionQuerySet:
        """By booking date, newest first, then id: the transactions screen's order, which the
        index `bank_tx_org_booked` serves without sorting. Where undated rows fall differs by
        database, so the screen reads dated and undated rows apart (banking.transactions)."""
        return self.order_by("-execution_date", "-id")


class BankTransaction(TenantModel):
    # No index of their own: each column leads one of the indexes below (organisation, account)
    # or the unique constraint (connection), which serve its lookups and cascades as well. Every
    # index is written on each of the hundreds of thousands of rows a first sync brings.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="transactions", db_index=False)
    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="transactions", db_index=False)
    external_id = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=TransactionStatus.choices, default=TransactionStatus.BOOKED)
    value_date = models.DateField(null=True, blank=True)
    execution_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    counterpart_name = models.CharField(max_length=200, blank=True)
    counterpart_iban = models.CharField(max_length=64, blank=True)
    remittance_information = models.TextField(blank=True)
    remittance_information_type = models.CharField(max_length=16, blank=True)
    bank_transaction_code = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True)
    # Set by the organisation's category rules (first match wins); blank when none matches.
    category = models.CharField(_("category"), max_length=64, blank=True)
    # Chosen by a person on the transactions screen: rules applied again leave it alone. A
    # database default too, so the syncs' and benches' COPY need not name the column.
    categorized_by_hand = models.BooleanField(default=False, db_default=False)
    raw = models.JSONField(default=dict, encoder=RawJSONEncoder)
    # What the screen's search reads (banking.transactions.search_q): the searched fields upper
    # case in one column, written by the database itself on every INSERT, UPDATE and COPY. One
    # column has statistics of its own, so the planner knows how common a term is (a backward
    # scan of `bank_tx_org_booked` for a common one), and on PostgreSQL a trigram index (the
    # migration) finds a rare one (an IBAN, a reference).
    search_text = models.GeneratedField(expression=_search_text(), output_field=models.TextField(), db_persist=True)
    # SHA-256 of the raw resource: a re-read compares this, not the whole JSON.
    raw_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BankTransactionQuerySet.as_manager()

    class Meta:
        db_table = "integrations_banktransaction"
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        ordering = ["-execution_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="bank_transaction_unique_external_id")
        ]
        indexes = [
            models.Index(fields=["organization", "status", "execution_date"], name="bank_tx_org_date"),
            models.Index(fields=["account", "execution_date"], name="bank_tx_account_date"),
            # The transactions screen's keyset pages (see `newest_first`).
            models.Index(fields=["organization", "-execution_date", "-id"], name="bank_tx_org_booked"),
            # The search for an amount ("125,50": in or out), OR'd with the search text's trigram
            # index (banking.transactions.search_q): without it, every row is read.
            models.Index(fields=["organization", "amount"], name="bank_tx_org_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.execution_date} {self.currency} {self.amount} {self.counterpart_name}"

    def get_absolute_url(self) -> str:
        return reverse("banking:transaction_detail", args=[self.pk])
