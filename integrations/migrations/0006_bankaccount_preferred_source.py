from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0005_banktransaction_category"),
    ]

    operations = [
        migrations.AddField(
            model_name="bankaccount",
            name="preferred_source",
            field=models.BooleanField(default=False),
        ),
    ]
