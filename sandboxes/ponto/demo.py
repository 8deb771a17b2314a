"""Customer payments for the sandbox bank, read from a JSON file the service writes: how the demo
organisation's clients pay its invoices (`invoices.demo.demo_bank_payments`, handed over by
`manage.py run_local`), so the first reconciliation after `make run` pairs each payment with its
invoice. The simulator never imports the service: the file is all they share.

Each record: {"day": "2026-12-03", "amount": "1250.00", "payer": "…", "payer_iban": "BE…" or "",
"remittance": "…", "structured": true}.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandboxes.ponto.records import CustomerPayment


def customer_payments(records: Iterable[Mapping[str, Any]]) -> list[CustomerPayment]:
    return [
        CustomerPayment(
            day=datetime.date.fromisoformat(record["day"]),
            amount=Decimal(record["amount"]),
            counterpart_name=record["payer"],
            counterpart_reference=record["payer_iban"] or None,
            remittance_information=record["remittance"],
            remittance_information_type="structured" if record["structured"] else "unstructured",
        )
        for record in records
    ]


def read_customer_payments(path: Path) -> list[CustomerPayment]:
    return customer_payments(json.loads(path.read_text()))
