"""The built-in UBL documents (in `ubl_samples/`): bills the control API can deliver to the tenant's
inbox, and the reference's example sales invoice for sending. All pass the BIS 3.0 rules; the one
"with warnings" carries two warning-level issues and nothing fatal."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "ubl_samples"
# Incoming bills, addressed to the tenant.
INCOMING = {
    "invoice-21-6": "a bill with a 21 % and a 6 % line (Drukkerij Peeters BV)",
    "credit-note": "a credit note on part of that bill",
    "reverse-charge": "a Dutch supplier's reverse-charge (AE) bill",
    "with-warnings": "a bill with two warning-level issues (UBL-CR-005, UBL-CR-006)",
}
# From the tenant to Klant NV: peppol.md §1.1, byte for byte.
SALES_INVOICE = "sales-invoice"
SAMPLES = {**INCOMING, SALES_INVOICE: "the reference's example invoice from the tenant to Klant NV (21 % and 6 %)"}


def sample(name: str) -> bytes:
    """The bytes of a built-in document; KeyError for an unknown name."""
    if name not in SAMPLES:
        raise KeyError(name)
    return (FOLDER / f"{name}.xml").read_bytes()
