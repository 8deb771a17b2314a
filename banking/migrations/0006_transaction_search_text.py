"""The transactions screen's search reads one column, `search_text`, which the database writes
itself from the searched fields. On PostgreSQL the column gets a trigram index, so a rare term (an
IBAN, a reference) is found through it, and a larger statistics sample, so the planner knows how
common a term is: a common one is read along the screen's own order instead, which stops after a
page. SQLite has neither and needs neither at its sizes."""

from __future__ import annotations

from typing import Any

import django.db.models.functions.text
from django.db import migrations, models

TABLE = "integrations_banktransaction"
INDEX = "bank_tx_search_trgm"
# 300 × this many rows sampled: enough for the planner to tell a term on 8 % of the rows from one
# on a handful.
STATISTICS = 1000


def index_on_postgresql(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (search_text gin_trgm_ops)")
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_text SET STATISTICS {STATISTICS}")
    schema_editor.execute(f"ANALYZE {TABLE} (search_text)")


def drop_index_on_postgresql(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("banking", "0005_match_notes_worked_out_when_read")]

    operations = [
        migrations.AddField(
            model_name="banktransaction",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    django.db.models.functions.text.Concat(
                        "counterpart_name",
                        models.Value("\n"),
                        "counterpart_iban",
                        models.Value("\n"),
                        "description",
                        models.Value("\n"),
                        "remittance_information",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="banktransaction",
            index=models.Index(fields=["organization", "amount"], name="bank_tx_org_amount"),
        ),
        migrations.RunPython(index_on_postgresql, drop_index_on_postgresql),
    ]
