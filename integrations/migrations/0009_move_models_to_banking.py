"""Bank accounts, transactions and bills moved to the banking app (state only: their tables
and rows stay), and the Ponto synchronizations point at banking's BankAccount."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banking", "0001_initial"),
        ("dashboards", "0003_move_models_to_banking"),
        ("integrations", "0008_booking_claim"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="banktransaction",
                    name="account",
                ),
                migrations.AlterField(
                    model_name="pontosynchronization",
                    name="account",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="banking.bankaccount"
                    ),
                ),
                migrations.RemoveField(
                    model_name="banktransaction",
                    name="connection",
                ),
                migrations.RemoveField(
                    model_name="banktransaction",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="bill",
                    name="connection",
                ),
                migrations.RemoveField(
                    model_name="bill",
                    name="organization",
                ),
                migrations.DeleteModel(
                    name="BankAccount",
                ),
                migrations.DeleteModel(
                    name="BankTransaction",
                ),
                migrations.DeleteModel(
                    name="Bill",
                ),
            ],
        ),
    ]
