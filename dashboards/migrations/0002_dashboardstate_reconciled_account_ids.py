from django.db import migrations, models


def remember_included_accounts(apps, schema_editor):
    """Accounts the reconciliation already read stay read: without this, the first run after the
    upgrade would read every account's whole history again."""
    DashboardState = apps.get_model("dashboards", "DashboardState")
    BankAccount = apps.get_model("integrations", "BankAccount")
    for state in DashboardState.objects.all():
        state.reconciled_account_ids = sorted(
            BankAccount.objects.filter(organization_id=state.organization_id, included=True).values_list(
                "pk", flat=True
            )
        )
        state.save(update_fields=["reconciled_account_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("integrations", "0006_bankaccount_preferred_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="dashboardstate",
            name="reconciled_account_ids",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(remember_included_accounts, migrations.RunPython.noop),
    ]
