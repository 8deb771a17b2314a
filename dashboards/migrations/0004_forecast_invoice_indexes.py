"""Two covering indexes for the forecast's receivables (dashboards.figures.forecast.RECEIVABLES_SQL),
which every cold overview and forecast computes: each client's average delay over the invoices it
paid in the last year, and the open invoices' balances by expected day. Both are read from the
index alone (no table row is fetched), which halves the statement on 50,000 invoices.

They live here, with the one statement that reads them, as raw PostgreSQL: the invoices app's
models declare the indexes its own screens need. SQLite has no INCLUDE and needs neither."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "invoices_invoice"
# The invoice statuses as stored (invoices.models.InvoiceStatus): paid, and the open ones
# (OPEN_STATUSES), written out because a migration must not change with the code.
INDEXES = {
    "invoice_paid_delay": (
        "(organization_id, currency, paid_on) INCLUDE (client_id, due_date) WHERE status = 'paid' AND is_active"
    ),
    "invoice_open_expected": (
        "(organization_id, currency, due_date) INCLUDE (client_id, balance_due) "
        "WHERE is_active AND status IN ('sent', 'partially_paid', 'overdue')"
    ),
}


def index_on_postgresql(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {definition}")


def drop_index_on_postgresql(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0003_move_models_to_banking"),
        ("invoices", "0012_enterprise_number_label"),
    ]

    operations = [migrations.RunPython(index_on_postgresql, drop_index_on_postgresql, elidable=False)]
