"""Category rules, reconciliation and recurring flows moved to the banking app (state only:
their tables and rows stay), and the rollups point at banking's BankAccount."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("dashboards", "0002_dashboardstate_reconciled_account_ids"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="categoryrule",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="match",
                    name="candidates",
                ),
                migrations.RemoveField(
                    model_name="match",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="match",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="match",
                    name="transaction",
                ),
                migrations.RemoveField(
                    model_name="recurringflow",
                    name="organization",
                ),
                migrations.AlterField(
                    model_name="counterpartyrollup",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="banking.bankaccount"
                    ),
                ),
                migrations.AlterField(
                    model_name="dailyrollup",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="banking.bankaccount"
                    ),
                ),
                migrations.DeleteModel(
                    name="Allocation",
                ),
                migrations.DeleteModel(
                    name="CategoryRule",
                ),
                migrations.DeleteModel(
                    name="Match",
                ),
                migrations.DeleteModel(
                    name="RecurringFlow",
                ),
            ],
        ),
    ]
