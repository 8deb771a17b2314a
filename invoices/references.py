"""Belgian structured communication (OGM/VCS) on our invoices: +++123/4567/89012+++.

Ten digits and two check digits (python-stdnum's `be.ogm_vcs`); a typed one is read by
`core.validators.validate_structured_reference`.
"""

from __future__ import annotations

from stdnum.be import ogm_vcs


def make_reference(base: int) -> str:
    """The twelve digits for a ten-digit base number."""
    if not 0 < base < 10**10:
        raise ValueError("a structured reference is built from a number of at most ten digits")
    digits = f"{base:010d}"
    return digits + ogm_vcs.calc_check_digits(digits)


def format_reference(digits: str) -> str:
    return f"+++{ogm_vcs.format(digits)}+++"
