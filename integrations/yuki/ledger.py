"""Which of an administration's GL accounts hold money: the bank and cash accounts a Yuki link
reads as ledgers (every other account is bookkeeping, not cash)."""

from __future__ import annotations

from integrations.yuki.client import GLAccount

# The classes of each country's scheme that hold money: the Belgian MAR/PCMN 55 (credit
# institutions) and 57 (cash); the Dutch scheme's 10 (cash) and 11 (bank).
MONEY_CLASSES = {"BE": ("55", "57"), "NL": ("10", "11")}
# A scheme whose account type names the kind says so itself.
MONEY_TYPE_WORDS = ("bank", "cash", "kas", "liquid")


def holds_money(account: GLAccount, country: str) -> bool:
    """A bank or cash account of the country's scheme, by the account type when it names one,
    else by the scheme's class; a disabled account never."""
    if not account.enabled:
        return False
    kind = (account.type or "").lower()
    if any(word in kind for word in MONEY_TYPE_WORDS):
        return True
    return account.code.startswith(MONEY_CLASSES.get(country.upper(), ()))
