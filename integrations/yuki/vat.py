"""Our VAT rates as Yuki VAT types, per administration country.

A sales line names its VAT percentage and a VAT type, and the pair must be one of the
administration's VAT codes. The codes differ per country (Belgium has 21, 12, 6 and 0 %, the
Netherlands 21, 9 and 0 %). A guessed type is worse than a refusal, so a rate without a type for
the administration's country is not booked, and the invoice says why before anyone tries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings

from integrations.models import Connection, ConnectionStatus, Provider


def rate_key(rate: Decimal) -> str:
    """`21`, `5.5`: the rate as the settings and `Connection.config["vat_types"]` spell it."""
    return f"{rate.normalize():f}"


def country_of(connection: Connection) -> str:
    """The administration's country; its region (a key only works on its own country's host) otherwise."""
    return str(connection.config.get("country") or connection.config.get("region") or "BE").upper()


def vat_types(connection: Connection) -> dict[str, int]:
    """Rate → Yuki VAT type: the country's defaults, overridden by the link's own `vat_types`."""
    configured: Mapping[str, Mapping[str, int]] = settings.YUKI_VAT_TYPES
    own: Mapping[str, object] = connection.config.get("vat_types") or {}
    types = dict(configured.get(country_of(connection), {}))
    types.update({rate_key(Decimal(str(rate))): int(str(value)) for rate, value in own.items()})
    return types


def unbookable_rates(connection: Connection, rates: Iterable[Decimal]) -> list[Decimal]:
    types = vat_types(connection)
    return sorted({rate for rate in rates if rate_key(rate) not in types}, reverse=True)


def unbookable_reason(connection: Connection, rates: Iterable[Decimal]) -> str:
    """Why lines at these rates cannot be booked in the linked administration; empty when they can."""
    missing = unbookable_rates(connection, rates)
    if not missing:
        return ""
    listed = ", ".join(f"{rate_key(rate)} %" for rate in missing)
    known = ", ".join(f"{rate} %" for rate in vat_types(connection)) or "none"
    return (
        f"{listed} cannot be booked in Yuki: the {country_of(connection)} administration has no VAT type for "
        f"{'these rates' if len(missing) > 1 else 'this rate'} (it books {known})."
    )


def refusal_on_send(organization_id: int, rates: Iterable[Decimal]) -> str:
    """Why an invoice with these rates cannot be saved: the link books every sent invoice in Yuki
    and some rate has no VAT type there. Empty when nothing stands in the way."""
    connection = (
        Connection.objects.filter(organization_id=organization_id, provider=Provider.YUKI, config__book_on_send=True)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .first()
    )
    if connection is None:
        return ""
    reason = unbookable_reason(connection, rates)
    return f"{reason} Sent invoices are booked in Yuki: choose another rate or stop booking on send." if reason else ""


# The rates a line can carry (`InvoiceItem.vat_rate`: a percentage with at most two decimals).
LOWEST_RATE, HIGHEST_RATE, RATE_STEP = Decimal("0"), Decimal("100"), Decimal("0.01")


def posted_line_rates(data: Mapping[str, object], prefix: str = "lines") -> list[Decimal]:
    """The VAT rates of the posted invoice lines not marked for deletion. A rate no line could carry
    (no number, out of 0-100 %, more than two decimals) is left to the line form's own error: an
    exponent like 1e1000000 overflows `rate_key`, and 1e999999 or 1e-999999 written out is a
    megabyte of digits."""
    rates: list[Decimal] = []
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-vat_rate$")
    for key, value in data.items():
        found = pattern.match(key)
        if found is None or data.get(f"{prefix}-{found.group(1)}-DELETE"):
            continue
        try:
            rate = Decimal(str(value))
        except ArithmeticError:
            continue
        # Order matters: a NaN is not compared, and quantize() only ever sees a rate within 0-100.
        if rate.is_finite() and LOWEST_RATE <= rate <= HIGHEST_RATE and rate == rate.quantize(RATE_STEP):
            rates.append(rate.copy_abs())  # -0 is 0
    return rates
