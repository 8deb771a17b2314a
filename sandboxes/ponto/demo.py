"""The demo organisation's clients paying its invoices into the sandbox bank, read from the demo
billing plan (`invoices.demo`): the same invoices, amounts and references `seed_billing` makes, so
the first reconciliation after `make run` links the bank pairs each payment with its invoice.

Imports the invoices app, so Django must be set up: `sandboxes.ponto` itself does not import this.
"""

from __future__ import annotations

from datetime import date

from invoices.demo import demo_bank_payments
from sandboxes.ponto.records import CustomerPayment


def demo_customer_payments(today: date) -> list[CustomerPayment]:
    """What the demo clients paid by yesterday that the demo books do not show yet."""
    return [
        CustomerPayment(
            day=payment.day,
            amount=payment.amount,
            counterpart_name=payment.payer,
            counterpart_reference=payment.payer_iban or None,
            remittance_information=payment.remittance,
            remittance_information_type="structured" if payment.structured else "unstructured",
        )
        for payment in demo_bank_payments(today)
    ]
