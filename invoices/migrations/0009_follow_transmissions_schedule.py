"""Every five minutes the worker moves on each Peppol transmission not yet delivered or failed:
the fallback for a webhook that never came and the retry after a fault at the access point."""

from django.db import migrations

MINUTES = "I"  # django_q.models.Schedule.MINUTES; the historical model has no class constants
NAME = "invoices.follow_transmissions"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    fields = {"func": "invoices.tasks.follow_transmissions", "schedule_type": MINUTES, "minutes": 5, "repeats": -1}
    Schedule.objects.update_or_create(name=NAME, defaults=fields)


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0008_einvoice_transmissions"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
