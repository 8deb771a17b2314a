"""What a new sandbox holds: the tenant behind the API key, and the participants of its Peppol network.

Every Belgian enterprise number here passes PEPPOL-COMMON-R043 (ten digits, mod 97); they were
generated for the sandbox and are not real companies. `UNREGISTERED_KBO` is valid but on purpose
in nobody's registry: a send to it ends in FAILED.
"""

from __future__ import annotations

from sandboxes.einvoice.participants import INVOICE_TYPE, Participant

TENANT_KBO = "0477472701"
TENANT_PEPPOL_ID = f"0208:{TENANT_KBO}"
CUSTOMER_KBO = "0700123432"  # Klant NV, the buyer of the reference's example invoice
INVOICES_ONLY_KBO = "0412345614"  # registered for invoices, not for credit notes
VENDOR_KBO = "0765432146"  # the supplier of the built-in incoming bills
UNREGISTERED_KBO = "0678901218"

# `GET /api/me/` (fields from the SDK's MeRetrieveResponse; the values are the sandbox's own).
TENANT: dict[str, object] = {
    "name": "Smart Invoice Demo BV",
    "description": None,
    "company_name": "Smart Invoice Demo BV",
    "company_number": TENANT_KBO,
    "company_tax_id": f"BE{TENANT_KBO}",
    "company_address": "Kerkstraat 1",
    "company_zip": "9000",
    "company_city": "Gent",
    "company_country": "BE",
    "company_email": "facturen@example.be",
    "bcc_recipient_email": None,
    "peppol_ids": [TENANT_PEPPOL_ID],
    "ibans": ["BE71096123456769"],
    "smp_registration": True,
    "smp_registration_date": "2025-09-01T08:00:00Z",
    "plan": "starter",
    "credit_balance": 100,
}


def seeded_participants() -> list[Participant]:
    return [
        Participant(TENANT_PEPPOL_ID, "Smart Invoice Demo BV", "BE"),
        Participant(f"0208:{CUSTOMER_KBO}", "Klant NV", "BE"),
        Participant(f"0208:{INVOICES_ONLY_KBO}", "Bakkerij Janssens BV", "BE", (INVOICE_TYPE,)),
        Participant(f"0208:{VENDOR_KBO}", "Drukkerij Peeters BV", "BE"),
        Participant("9925:BE0801234549", "Architectenbureau Maes", "BE"),  # registered by VAT number only
        Participant("0106:69599084", "Wolkwerk B.V.", "NL"),
        Participant("9944:NL004495445B01", "Wolkwerk B.V.", "NL"),
    ]
