"""The models moved here from the integrations and dashboards apps, on the tables they had:
the state changes, the database does not."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import banking.models.accounts


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0003_invitation"),
        ("dashboards", "0002_dashboardstate_reconciled_account_ids"),
        ("integrations", "0008_booking_claim"),
        ("invoices", "0005_invoice_paid_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BankAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("external_id", models.CharField(max_length=64)),
                        ("iban", models.CharField(blank=True, max_length=34, verbose_name="IBAN")),
                        ("currency", models.CharField(default="EUR", max_length=3)),
                        ("name", models.CharField(blank=True, max_length=200)),
                        ("holder_name", models.CharField(blank=True, max_length=200)),
                        ("subtype", models.CharField(blank=True, max_length=32)),
                        (
                            "current_balance",
                            models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                        ),
                        ("current_balance_date", models.DateTimeField(blank=True, null=True)),
                        (
                            "available_balance",
                            models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True),
                        ),
                        ("authorization_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("synchronized_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "included",
                            models.BooleanField(default=True, help_text="Synced and counted in the dashboards."),
                        ),
                        ("preferred_source", models.BooleanField(default=False)),
                        ("newest_transaction_id", models.CharField(blank=True, max_length=64)),
                        ("raw", models.JSONField(default=dict, encoder=banking.models.accounts.RawJSONEncoder)),
                        (
                            "connection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="accounts",
                                to="integrations.connection",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_bankaccount",
                        "ordering": ["name", "iban"],
                    },
                ),
                migrations.CreateModel(
                    name="BankTransaction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("external_id", models.CharField(max_length=64)),
                        (
                            "status",
                            models.CharField(
                                choices=[("booked", "Booked"), ("pending", "Pending")], default="booked", max_length=8
                            ),
                        ),
                        ("value_date", models.DateField(blank=True, null=True)),
                        ("execution_date", models.DateField(blank=True, null=True)),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=16)),
                        ("currency", models.CharField(default="EUR", max_length=3)),
                        ("counterpart_name", models.CharField(blank=True, max_length=200)),
                        ("counterpart_iban", models.CharField(blank=True, max_length=64)),
                        ("remittance_information", models.TextField(blank=True)),
                        ("remittance_information_type", models.CharField(blank=True, max_length=16)),
                        ("bank_transaction_code", models.CharField(blank=True, max_length=64)),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("category", models.CharField(blank=True, max_length=64)),
                        ("raw", models.JSONField(default=dict, encoder=banking.models.accounts.RawJSONEncoder)),
                        ("raw_digest", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="transactions",
                                to="banking.bankaccount",
                            ),
                        ),
                        (
                            "connection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="transactions",
                                to="integrations.connection",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_banktransaction",
                        "ordering": ["-execution_date", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Bill",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("external_id", models.CharField(max_length=64)),
                        ("supplier", models.CharField(max_length=200)),
                        ("supplier_code", models.CharField(blank=True, max_length=64)),
                        ("reference", models.CharField(blank=True, max_length=100)),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("date", models.DateField(blank=True, null=True)),
                        ("due_date", models.DateField(blank=True, null=True)),
                        ("currency", models.CharField(default="EUR", max_length=3)),
                        (
                            "original_amount",
                            models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                        ),
                        ("open_amount", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16)),
                        ("settled_on", models.DateField(blank=True, null=True)),
                        ("last_seen_on", models.DateField(blank=True, null=True)),
                        ("raw", models.JSONField(default=dict, encoder=banking.models.accounts.RawJSONEncoder)),
                        (
                            "connection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="bills",
                                to="integrations.connection",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "integrations_bill",
                        "ordering": ["due_date", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CategoryRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("category", models.CharField(max_length=64)),
                        (
                            "field",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("counterpart_name", "Counterpart name"),
                                    ("counterpart_iban", "Counterpart IBAN"),
                                    ("remittance_information", "Remittance text"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "operator",
                            models.CharField(
                                choices=[("contains", "contains"), ("equals", "equals")],
                                default="contains",
                                max_length=8,
                            ),
                        ),
                        ("value", models.CharField(blank=True, max_length=200)),
                        (
                            "amount_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Signed: money out is negative.",
                                max_digits=16,
                                null=True,
                                verbose_name="amount from",
                            ),
                        ),
                        (
                            "amount_max",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=16, null=True, verbose_name="amount to"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboards_categoryrule",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Match",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("suggested", "Waiting for review"),
                                    ("applied", "Applied"),
                                    ("rejected", "Rejected"),
                                    ("reversed", "Reversed"),
                                ],
                                default="suggested",
                                max_length=16,
                            ),
                        ),
                        (
                            "evidence",
                            models.CharField(
                                choices=[
                                    ("reference", "Structured payment reference"),
                                    ("number", "Invoice number in the remittance text"),
                                    ("iban_amount", "Client's IBAN and the exact open amount"),
                                    ("iban", "Client's IBAN"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "automatic",
                            models.BooleanField(default=False, help_text="Applied by the matcher without review."),
                        ),
                        ("note", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("candidates", models.ManyToManyField(blank=True, related_name="+", to="invoices.invoice")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                        (
                            "transaction",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reconciliation",
                                to="banking.banktransaction",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboards_match",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Allocation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16)),
                        (
                            "invoice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="invoices.invoice"
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="invoices.payment"
                            ),
                        ),
                        (
                            "match",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="allocations",
                                to="banking.match",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboards_allocation",
                        "ordering": ["pk"],
                    },
                ),
                migrations.CreateModel(
                    name="RecurringFlow",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("counterparty", models.CharField(max_length=200)),
                        ("currency", models.CharField(max_length=3)),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2, help_text="Typical amount; money out is negative.", max_digits=16
                            ),
                        ),
                        ("interval_days", models.PositiveIntegerField()),
                        ("occurrences", models.PositiveIntegerField()),
                        ("last_date", models.DateField()),
                        ("next_date", models.DateField()),
                        ("detected_at", models.DateTimeField(auto_now=True)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboards_recurringflow",
                        "ordering": ["next_date", "counterparty"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="bankaccount",
                    constraint=models.UniqueConstraint(
                        fields=("connection", "external_id"), name="bank_account_unique_external_id"
                    ),
                ),
                migrations.AddIndex(
                    model_name="banktransaction",
                    index=models.Index(fields=["organization", "status", "execution_date"], name="bank_tx_org_date"),
                ),
                migrations.AddIndex(
                    model_name="banktransaction",
                    index=models.Index(fields=["account", "execution_date"], name="bank_tx_account_date"),
                ),
                migrations.AddConstraint(
                    model_name="banktransaction",
                    constraint=models.UniqueConstraint(
                        fields=("connection", "external_id"), name="bank_transaction_unique_external_id"
                    ),
                ),
                migrations.AddIndex(
                    model_name="bill",
                    index=models.Index(fields=["organization", "settled_on", "due_date"], name="bill_open_due"),
                ),
                migrations.AddConstraint(
                    model_name="bill",
                    constraint=models.UniqueConstraint(
                        fields=("connection", "external_id"), name="bill_unique_external_id"
                    ),
                ),
                migrations.AddIndex(
                    model_name="categoryrule",
                    index=models.Index(fields=["organization", "position"], name="category_rule_order"),
                ),
                migrations.AddIndex(
                    model_name="match",
                    index=models.Index(fields=["organization", "status", "-created_at"], name="match_org_status"),
                ),
            ],
        ),
    ]
