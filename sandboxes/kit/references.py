"""The Belgian structured communication (OGM/VCS) the simulated banks and books pay with."""

from __future__ import annotations

from stdnum.be import ogm_vcs


def structured_reference(base: int) -> str:
    """`+++123/4567/89012+++` for a base number of at most ten digits."""
    if not 0 < base < 10**10:
        raise ValueError("a structured reference is built from a number of at most ten digits")
    digits = f"{base:010d}{ogm_vcs.calc_check_digits(f'{base:010d}')}"
    # Sliced here rather than through ogm_vcs.format: generating 100,000 bookings calls this often.
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
