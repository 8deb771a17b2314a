"""Drop the single-column indexes of bank transactions' foreign keys: each column leads a wider
index (organisation, account) or the unique constraint (connection), which serves its lookups and
cascades. Only the indexes go: Django's own AlterField would also drop and re-add each foreign
key, checking every row of the table again."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "integrations_banktransaction"
REDUNDANT_INDEXES = {
    "integrations_banktransaction_account_id_8717d505": "account_id",
    "integrations_banktransaction_connection_id_3190ac93": "connection_id",
    "integrations_banktransaction_organization_id_0024a6ce": "organization_id",
}


def foreign_key(to: str, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name=related_name, to=to
    )


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("core", "0003_invitation"),
        ("integrations", "0010_syncrun_after_sync_failures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("banktransaction", "account", foreign_key("banking.bankaccount", "transactions")),
                migrations.AlterField(
                    "banktransaction", "connection", foreign_key("integrations.connection", "transactions")
                ),
                migrations.AlterField("banktransaction", "organization", foreign_key("core.organization", "+")),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{TABLE}" ("{column}")',
                )
                for name, column in REDUNDANT_INDEXES.items()
            ],
        ),
    ]
