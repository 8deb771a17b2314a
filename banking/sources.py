"""Which bank accounts the figures count: each bank account once, however often it is linked.

The same IBAN can arrive through Ponto and as a Yuki bank ledger account, or through two Ponto
links. Counting both would double the cash position and the flows, so an IBAN (in one currency)
linked through several counted connections is read from one of them, its source: the one the user chose on a
connection page, or else the bank's own feed (Ponto, current to the day) before a ledger's copy,
and the older link before a newer one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from banking.models import BankAccount
from core.validators import normalize_iban
from integrations.models import Provider

# Lower ranks first: the bank's own feed is fresher than a bookkeeper's ledger.
PROVIDER_RANK = {Provider.PONTO: 0, Provider.YUKI: 1}


def _rank(account: BankAccount) -> tuple[bool, int, int]:
    return (not account.preferred_source, PROVIDER_RANK.get(Provider(account.connection.provider), 9), account.pk)


def same_account_key(account: BankAccount) -> tuple[str, str]:
    """What makes two links one bank account: the IBAN and the currency (one IBAN may hold
    several currencies, each an account of its own)."""
    return normalize_iban(account.iban), account.currency


def linked_elsewhere(accounts: Iterable[BankAccount]) -> dict[tuple[str, str], list[BankAccount]]:
    """The accounts of each IBAN and currency linked through more than one connection, the
    counted source first."""
    by_key: dict[tuple[str, str], list[BankAccount]] = defaultdict(list)
    for account in accounts:
        if account.iban:
            by_key[same_account_key(account)].append(account)
    return {
        key: sorted(group, key=_rank)
        for key, group in by_key.items()
        if len({account.connection_id for account in group}) > 1
    }


def counted_accounts(organization_id: int) -> list[BankAccount]:
    """The organisation's counted accounts, each IBAN once, with their connections. A counted
    account linked elsewhere too carries the other links' names in `other_sources`."""
    accounts = list(
        BankAccount.objects.countable()
        .filter(organization_id=organization_id)
        .select_related("connection")
        .order_by("currency", "name", "pk")
    )
    left_out: set[int] = set()
    for source, *others in linked_elsewhere(accounts).values():
        source.other_sources = tuple(str(other.connection) for other in others)
        left_out.update(other.pk for other in others)
    return [account for account in accounts if account.pk not in left_out]


def counted_account_ids(organization_id: int) -> list[int]:
    return [account.pk for account in counted_accounts(organization_id)]
