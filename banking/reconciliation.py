"""Reconciliation: incoming bank transactions matched to open invoices, strongest evidence first.

1. the structured payment reference (+++123/4567/89012+++) of an open invoice;
2. the invoice number written in the remittance text;
3. the client's IBAN, with one open invoice of exactly the amount received; never for a payment
   that quotes the structured reference of one of our invoices already settled.

A transaction with one candidate invoice that can take the whole amount is paid automatically
(an audited payment, reversible); anything else waits for review, where the user confirms,
splits over several invoices or rejects. A transaction without evidence gets no match at all.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from banking import sources
from banking.models import Allocation, BankTransaction, Evidence, Match, MatchStatus
from banking.models.accounts import TransactionStatus
from core.audit import record_event
from core.formatting import format_money
from core.models import Organization, User
from core.validators import is_structured_reference, normalize_iban
from dashboards.models import DashboardState
from dashboards.state import bump, state_for
from invoices.models import ClientBankAccount, Invoice, PaymentMethod
from invoices.models.invoices import OPEN_STATUSES
from invoices.references import format_reference
from invoices.services import record_payment, soft_delete
from invoices.services.invoicing import lock
from payments.settlements import is_settlement

BATCH_SIZE = 2000
# What matching and paying read of a transaction: not the provider's raw copy (most of a row's
# bytes) nor the columns only the ledger shows; a row read whole costs twice as much to build.
_FIELDS_READ = (
    "id",
    "organization_id",
    "account_id",
    "amount",
    "currency",
    "execution_date",
    "value_date",
    "counterpart_name",
    "counterpart_iban",
    "remittance_information",
    "remittance_information_type",
    "created_at",
)
# The watermark passes only transactions written this long ago: a sync of another connection may
# still commit rows with lower ids than ones already seen. Younger rows are simply looked at again.
SETTLE_TIME = datetime.timedelta(minutes=10)
# Numbers made of digits only and shorter than this are too easily found by chance (amounts, dates).
MIN_DIGITS_ONLY_NUMBER = 6
MAX_NUMBER_PARTS = 6

_REFERENCE = re.compile(r"(?<!\d)(\d{3})\s*[/.\- ]?\s*(\d{4})\s*[/.\- ]?\s*(\d{5})(?!\d)")
_NON_DIGITS = re.compile(r"\D")
_NUMBER_PARTS = re.compile(r"[A-Z]+|\d+")
# A user may re-decide a reversed match: pay the right invoice instead, or reject it.
DECIDABLE = (MatchStatus.SUGGESTED, MatchStatus.REVERSED)


@dataclass(frozen=True)
class ReconcileResult:
    applied: int = 0
    suggested: int = 0
    unmatched: int = 0


# --- reading the remittance text ------------------------------------------------------------


def references_in(text: str, *, structured: bool = False) -> list[str]:
    """The twelve digits of every mod-97-valid structured reference in the text."""
    if structured:
        digits = _NON_DIGITS.sub("", text)
        if is_structured_reference(digits):
            return [digits]
    found = ("".join(groups) for groups in _REFERENCE.findall(text))
    return list(dict.fromkeys(digits for digits in found if is_structured_reference(digits)))


def number_parts(text: str) -> list[str]:
    """Runs of letters and of digits, upper case: separators between them do not count."""
    return _NUMBER_PARTS.findall(text.upper())


def number_key(number: str) -> str:
    return "".join(number_parts(number))


def number_keys_in(text: str, longest: int) -> Iterator[str]:
    """Every run of up to `longest` consecutive parts of the text, joined: INV 2026/0001 gives INV20260001."""
    parts = number_parts(text)
    for start in range(len(parts)):
        for end in range(start + 1, min(start + longest, len(parts)) + 1):
            yield "".join(parts[start:end])


# --- the organisation's open invoices, loaded once per run -----------------------------------


@dataclass
class OpenInvoices:
    """Lookups over the open invoices; kept up to date as the run pays them."""

    organization_id: int = 0
    by_reference: dict[str, Invoice] = field(default_factory=dict)
    by_number: dict[str, Invoice] = field(default_factory=dict)
    by_client: dict[int, list[Invoice]] = field(default_factory=dict)
    clients_by_iban: dict[str, set[int]] = field(default_factory=dict)
    longest_number: int = 1

    @classmethod
    def load(cls, organization_id: int) -> OpenInvoices:
        lookups = cls(organization_id=organization_id)
        invoices = (
            Invoice.objects.filter(organization_id=organization_id, status__in=OPEN_STATUSES, balance_due__gt=0)
            .select_related("client")
            .order_by("due_date", "id")
        )
        for invoice in invoices:
            if invoice.payment_reference:
                lookups.by_reference[invoice.payment_reference] = invoice
            parts = number_parts(invoice.number)
            key = "".join(parts)
            if len(key) >= MIN_DIGITS_ONLY_NUMBER or (key and not key.isdigit()):
                lookups.by_number[key] = invoice
                lookups.longest_number = max(lookups.longest_number, min(len(parts), MAX_NUMBER_PARTS))
            lookups.by_client.setdefault(invoice.client_id, []).append(invoice)
        accounts = ClientBankAccount.objects.filter(organization_id=organization_id, client__is_active=True)
        for client_id, iban in accounts.values_list("client_id", "iban"):
            lookups.clients_by_iban.setdefault(normalize_iban(iban), set()).add(client_id)
        return lookups

    @staticmethod
    def is_payable(invoice: Invoice, currency: str) -> bool:
        return invoice.status in OPEN_STATUSES and invoice.balance_due > 0 and invoice.currency == currency

    def quotes_a_settled_invoice(self, references: Sequence[str]) -> bool:
        """Whether a structured reference quoted is one of our invoices that is no longer open: the
        payment is about that invoice (paid twice, or a payment already recorded by hand), never
        a reason to pay another invoice of the same client."""
        unknown = [reference for reference in references if reference not in self.by_reference]
        return bool(unknown) and (
            Invoice.all_objects.filter(organization_id=self.organization_id, payment_reference__in=unknown).exists()
        )

    def paid(self, invoice: Invoice, settled: Invoice) -> None:
        """`settled` is the invoice as the payment left it: later transactions see its new balance."""
        invoice.balance_due = settled.balance_due
        invoice.amount_paid = settled.amount_paid
        invoice.status = settled.status


@dataclass(frozen=True)
class Finding:
    evidence: Evidence
    candidates: list[Invoice]


def find(row: BankTransaction, lookups: OpenInvoices) -> Finding | None:
    """The strongest evidence about the transaction and the invoices it points to, or None."""
    text = row.remittance_information or ""

    def payable(invoices: Iterable[Invoice | None]) -> list[Invoice]:
        unique = {invoice.pk: invoice for invoice in invoices if invoice is not None}
        return [invoice for invoice in unique.values() if lookups.is_payable(invoice, row.currency)]

    quoted = references_in(text, structured=row.remittance_information_type == "structured")
    if lookups.by_reference:
        by_reference = payable(lookups.by_reference.get(ref) for ref in quoted)
        if by_reference:
            return Finding(Evidence.STRUCTURED_REFERENCE, by_reference)
    if lookups.by_number:
        by_number = payable(lookups.by_number.get(key) for key in number_keys_in(text, lookups.longest_number))
        if by_number:
            return Finding(Evidence.INVOICE_NUMBER, by_number)
    if not row.counterpart_iban or not lookups.clients_by_iban or lookups.quotes_a_settled_invoice(quoted):
        return None
    client_ids = lookups.clients_by_iban.get(_compact_iban(row.counterpart_iban), set())
    of_clients = payable(invoice for client_id in client_ids for invoice in lookups.by_client.get(client_id, []))
    exact = [invoice for invoice in of_clients if invoice.balance_due == row.amount]
    if exact:
        return Finding(Evidence.IBAN_AMOUNT, exact)
    if of_clients:
        return Finding(Evidence.CLIENT_IBAN, of_clients)
    return None


@functools.lru_cache(maxsize=4096)
def _compact_iban(value: str) -> str:
    """A counterparty's IBAN compacted once per run's worth of rows: the same few recur."""
    return normalize_iban(value)


def review_reason(match: Match, candidates: Sequence[Invoice]) -> str:
    """Why the match waits for a person, in the reader's language, from what it points to now.

    Worked out when the page is read rather than stored with the match: the matcher runs in the
    background, in no reader's language. What a match stores in `note` is only what cannot be
    worked out again: why paying it automatically failed.
    """
    if match.status not in DECIDABLE:
        return ""
    if match.evidence == Evidence.CLIENT_IBAN:
        return gettext("The client has no open invoice of exactly this amount: pick the invoices it pays.")
    if len(candidates) > 1:
        return ngettext(
            "%(count)s open invoice fits: pick the one it pays, or split it.",
            "%(count)s open invoices fit: pick the one it pays, or split it.",
            len(candidates),
        ) % {"count": len(candidates)}
    row = match.transaction
    if len(candidates) == 1 and row.amount > candidates[0].balance_due:
        invoice = candidates[0]
        return gettext(
            "%(amount)s is more than the open amount of %(number)s (%(balance)s): split it, or reject it."
        ) % {
            "amount": format_money(row.amount, row.currency),
            "number": invoice.number,
            "balance": format_money(invoice.balance_due, invoice.currency),
        }
    return ""


# --- the run -------------------------------------------------------------------------------


def reconcile(organization_id: int) -> ReconcileResult:
    """Match the organisation's new incoming transactions of its counted accounts. An account
    counted since the last run (its first sync succeeded, or it became an IBAN's source) has its
    rows below the watermark read once too."""
    organization = Organization.objects.get(pk=organization_id)
    # A payment seen through two links of one bank account is matched once, from its source.
    account_ids = sources.counted_account_ids(organization_id)
    state = state_for(organization_id)
    read_before = set(state.reconciled_account_ids)
    newly_counted = [pk for pk in account_ids if pk not in read_before]
    result = ReconcileResult()
    if newly_counted and state.reconciled_through_id:
        result = _reconcile_rows(organization, newly_counted, result, below_watermark=True)
    result = _reconcile_rows(organization, account_ids, result, below_watermark=False)
    if set(account_ids) != read_before:
        DashboardState.objects.filter(organization_id=organization_id).update(reconciled_account_ids=account_ids)
    if result.applied or result.suggested:
        bump(organization_id)
    return result


def _reconcile_rows(
    organization: Organization, account_ids: list[int], result: ReconcileResult, *, below_watermark: bool
) -> ReconcileResult:
    """Batch by batch, the accounts' undecided incoming rows above the watermark (which each batch
    moves on), or those below it (which leaves it alone)."""
    lookups: OpenInvoices | None = None
    applied, suggested, unmatched = result.applied, result.suggested, result.unmatched
    after_id = 0
    while True:
        with transaction.atomic():
            # One run per organisation at a time: a second waits here, then skips what the first decided.
            state, _ = DashboardState.objects.select_for_update().get_or_create(organization_id=organization.pk)
            if lookups is None:
                lookups = OpenInvoices.load(organization.pk)
            watermark = state.reconciled_through_id
            if below_watermark:
                rows = _next_batch(account_ids, after_id, through=watermark)
            else:
                rows = _next_batch(account_ids, max(after_id, watermark))
            if not rows:
                break
            suggestions: list[tuple[Match, list[Invoice]]] = []
            for row in rows:
                if is_settlement(row):  # a provider's payout of invoices already paid online
                    continue
                finding = find(row, lookups)
                if finding is None:
                    unmatched += 1
                    continue
                # Only why paying it automatically failed: the one reason its page cannot work out again.
                note = ""
                if _applies_automatically(row, finding):
                    try:
                        _apply_automatically(organization, row, finding, lookups)
                    except ValidationError as exc:
                        note = " ".join(exc.messages)
                    else:
                        applied += 1
                        continue
                match = Match(
                    organization=organization,
                    transaction=row,
                    status=MatchStatus.SUGGESTED,
                    evidence=finding.evidence,
                    note=note[:300],
                )
                suggestions.append((match, finding.candidates))
            _save_suggestions(suggestions)
            suggested += len(suggestions)
            if not below_watermark:
                _advance_watermark(state, rows)
            after_id = rows[-1].pk
        if len(rows) < BATCH_SIZE:
            break
    return ReconcileResult(applied=applied, suggested=suggested, unmatched=unmatched)


def _next_batch(account_ids: list[int], after_id: int, *, through: int | None = None) -> list[BankTransaction]:
    rows = BankTransaction.objects.filter(
        account_id__in=account_ids,
        status=TransactionStatus.BOOKED,
        amount__gt=0,
        reconciliation__isnull=True,
        id__gt=after_id,
    )
    if through is not None:
        rows = rows.filter(id__lte=through)
    return list(rows.only(*_FIELDS_READ).order_by("id")[:BATCH_SIZE])


def _advance_watermark(state: DashboardState, rows: Sequence[BankTransaction]) -> None:
    settled_before = timezone.now() - SETTLE_TIME
    through = state.reconciled_through_id
    for row in rows:
        if row.pk <= through:
            continue
        if row.created_at >= settled_before:
            break
        through = row.pk
    if through != state.reconciled_through_id:
        state.reconciled_through_id = through
        state.save(update_fields=["reconciled_through_id"])


def _applies_automatically(row: BankTransaction, finding: Finding) -> bool:
    # The client's IBAN alone says who paid, not what for: a person decides.
    return (
        finding.evidence != Evidence.CLIENT_IBAN
        and len(finding.candidates) == 1
        and row.amount <= finding.candidates[0].balance_due
    )


def _apply_automatically(
    organization: Organization, row: BankTransaction, finding: Finding, lookups: OpenInvoices
) -> None:
    invoice = finding.candidates[0]
    with transaction.atomic():
        match = Match.objects.create(
            organization=organization,
            transaction=row,
            status=MatchStatus.APPLIED,
            evidence=finding.evidence,
            automatic=True,
            decided_at=timezone.now(),
        )
        Match.candidates.through.objects.create(match_id=match.pk, invoice_id=invoice.pk)
        allocation = _pay(match, invoice, row.amount, actor=None, request=None)
        lookups.paid(invoice, allocation.payment.invoice or invoice)
        record_event(
            "reconciliation.applied",
            organization=organization,
            target=match,
            after={"status": match.status, "evidence": match.evidence, "allocations": _describe([allocation])},
        )


def _save_suggestions(suggestions: list[tuple[Match, list[Invoice]]]) -> None:
    if not suggestions:
        return
    matches = Match.objects.bulk_create([match for match, _ in suggestions])
    through = Match.candidates.through
    Match.candidates.through.objects.bulk_create(
        [
            through(match_id=match.pk, invoice_id=invoice.pk)
            for match, (_, candidates) in zip(matches, suggestions, strict=True)
            for invoice in candidates
        ]
    )


# --- paying invoices from a transaction ------------------------------------------------------


def _payment_reference(row: BankTransaction) -> str:
    text = (row.remittance_information or "").strip()
    if row.remittance_information_type == "structured":
        references = references_in(text, structured=True)
        if references:
            return format_reference(references[0])
    return (text or row.counterpart_name or f"Bank transaction {row.pk}")[:140]


def _pay(
    match: Match, invoice: Invoice, amount: Decimal, *, actor: User | None, request: HttpRequest | None
) -> Allocation:
    row = match.transaction
    payment = record_payment(
        organization=match.organization,
        client=invoice.client,
        invoice=invoice,
        amount=amount,
        date=row.execution_date or row.value_date or timezone.localdate(),
        currency=row.currency,
        method=PaymentMethod.BANK_TRANSFER,
        reference=_payment_reference(row),
        actor=actor,
        request=request,
    )
    return Allocation.objects.create(
        organization=match.organization, match=match, invoice=invoice, payment=payment, amount=amount
    )


def _describe(allocations: Iterable[Allocation]) -> list[dict[str, object]]:
    return [
        {"invoice": allocation.invoice.number, "amount": allocation.amount, "payment": allocation.payment_id}
        for allocation in allocations
    ]


# --- decisions on a match: atomic, audited --------------------------------------------------


def _already_decided(status: str) -> str:
    """Why a decision on a match in `status` is refused: what became of it meanwhile."""
    if status == MatchStatus.SUGGESTED:
        return gettext("This match is still waiting for review: only a paid match can be reversed.")
    if status == MatchStatus.APPLIED:
        return gettext("This match was already applied: its invoices are paid. Reload the page to see its state.")
    if status == MatchStatus.REJECTED:
        return gettext("This match was already rejected. Reload the page to see its state.")
    return gettext("This match was already reversed: its payments are deleted. Reload the page to see its state.")


def _locked(match: Match, allowed: Sequence[MatchStatus]) -> Match:
    """The match re-read under a row lock; a second submit of the same decision waits, then fails here."""
    locked = Match.objects.select_for_update().select_related("transaction", "organization").get(pk=match.pk)
    if locked.status not in allowed:
        raise ValidationError(_already_decided(locked.status))
    return locked


def _check_payable(match: Match, invoice: Invoice, amount: Decimal) -> Invoice:
    """The invoice under a row lock, once it is known to take `amount` of this transaction."""
    if invoice.organization_id != match.organization_id:
        raise ValidationError(gettext("That invoice does not belong to this organisation."))
    invoice = lock(invoice)
    row = match.transaction
    number = {"number": invoice.number}
    if invoice.currency != row.currency:
        raise ValidationError(
            gettext("%(number)s is in %(invoice_currency)s, the transaction in %(currency)s.")
            % {**number, "invoice_currency": invoice.currency, "currency": row.currency}
        )
    if invoice.status not in OPEN_STATUSES or invoice.balance_due <= 0:
        raise ValidationError(gettext("%(number)s is not open: nothing is due on it.") % number)
    if amount <= 0:
        raise ValidationError(gettext("The amount for %(number)s must be more than zero.") % number)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(gettext("The amount for %(number)s has more than two decimals.") % number)
    if amount > invoice.balance_due:
        raise ValidationError(
            gettext(
                "%(amount)s is more than the open amount of %(number)s (%(balance)s): "
                "split the transaction over several invoices."
            )
            % {
                **number,
                "amount": format_money(amount, row.currency),
                "balance": format_money(invoice.balance_due, invoice.currency),
            }
        )
    return invoice


def _settle(
    match: Match,
    status: MatchStatus,
    action: str,
    *,
    actor: User | None,
    request: HttpRequest | None,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
) -> Match:
    """Record a person's decision on the match: its new status, who and when, the audit event,
    and a new data version for the dashboards."""
    match.status = status
    match.decided_at = timezone.now()
    match.decided_by = actor
    match.save(update_fields=["status", "decided_at", "decided_by"])
    record_event(
        f"reconciliation.{action}",
        request=request,
        actor=actor,
        organization=match.organization,
        target=match,
        before=before,
        after={"status": match.status, **(after or {})},
    )
    bump(match.organization_id)
    return match


def _decide(
    match: Match,
    amounts: Sequence[tuple[Invoice, Decimal]],
    action: str,
    *,
    actor: User | None,
    request: HttpRequest | None,
) -> Match:
    before = {"status": match.status}
    allocations = [_pay(match, invoice, amount, actor=actor, request=request) for invoice, amount in amounts]
    return _settle(
        match,
        MatchStatus.APPLIED,
        action,
        actor=actor,
        request=request,
        before=before,
        after={"allocations": _describe(allocations)},
    )


@transaction.atomic
def confirm(match: Match, invoice: Invoice, *, actor: User | None, request: HttpRequest | None = None) -> Match:
    """Pay the whole transaction to one invoice."""
    match = _locked(match, DECIDABLE)
    invoice = _check_payable(match, invoice, match.transaction.amount)
    return _decide(match, [(invoice, match.transaction.amount)], "confirmed", actor=actor, request=request)


@transaction.atomic
def split(
    match: Match, amounts: dict[Invoice, Decimal], *, actor: User | None, request: HttpRequest | None = None
) -> Match:
    """Pay the transaction to several invoices; the parts add up to the transaction exactly."""
    match = _locked(match, DECIDABLE)
    if not amounts:
        raise ValidationError(gettext("Enter the amount paid to at least one invoice."))
    total = match.transaction.amount
    parts = sum(amounts.values(), Decimal("0.00"))
    if parts != total:
        currency = match.transaction.currency
        raise ValidationError(
            gettext("The amounts add up to %(parts)s, but the transaction is %(total)s: they must be equal.")
            % {"parts": format_money(parts, currency), "total": format_money(total, currency)}
        )
    checked = [
        (_check_payable(match, invoice, amount), amount)
        for invoice, amount in sorted(amounts.items(), key=lambda item: item[0].pk)
    ]
    return _decide(match, checked, "split", actor=actor, request=request)


@transaction.atomic
def reject(match: Match, *, actor: User | None, request: HttpRequest | None = None) -> Match:
    """No invoice is paid by this transaction; it is never matched again."""
    match = _locked(match, DECIDABLE)
    before = {"status": match.status}
    return _settle(match, MatchStatus.REJECTED, "rejected", actor=actor, request=request, before=before)


@transaction.atomic
def reverse(match: Match, *, actor: User | None, request: HttpRequest | None = None) -> Match:
    """Undo an applied match: its payments are deleted (restorable), the invoices owe again."""
    match = _locked(match, (MatchStatus.APPLIED,))
    allocations = active_allocations(match)
    for allocation in allocations:
        soft_delete(allocation.payment, actor=actor, request=request)
    before = {"status": MatchStatus.APPLIED, "allocations": _describe(allocations)}
    return _settle(match, MatchStatus.REVERSED, "reversed", actor=actor, request=request, before=before)


def active_allocations(match: Match) -> list[Allocation]:
    """The parts of the match whose payments still stand."""
    return list(match.allocations.filter(payment__is_active=True).select_related("invoice", "payment"))
