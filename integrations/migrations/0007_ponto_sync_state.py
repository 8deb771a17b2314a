import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0006_bankaccount_preferred_source"),
    ]

    operations = [
        migrations.CreateModel(
            name="PontoWebhookReceipt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("jti", models.CharField(max_length=200, unique=True)),
                ("expires_at", models.DateTimeField(db_index=True)),
                ("received_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="PontoSynchronization",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("synchronization_id", models.CharField(blank=True, max_length=64)),
                (
                    "origin",
                    models.CharField(
                        choices=[
                            ("requested", "Requested by us"),
                            ("webhook", "Announced by a webhook"),
                            ("ponto", "Ponto's own, seen on the account"),
                        ],
                        max_length=16,
                    ),
                ),
                ("idempotency_key", models.UUIDField(default=uuid.uuid4)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("outcome", models.CharField(blank=True, max_length=200)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="integrations.bankaccount"
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("synchronization_id", ""), _negated=True),
                        fields=("account", "synchronization_id"),
                        name="ponto_synchronization_once",
                    )
                ],
            },
        ),
    ]
