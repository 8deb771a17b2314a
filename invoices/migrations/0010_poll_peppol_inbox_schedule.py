"""Every thirty minutes the worker reads the access point's inbox for documents a lost webhook never
announced (reference peppol.md §3.7: poll as a safety net)."""

from django.db import migrations

MINUTES = "I"  # django_q.models.Schedule.MINUTES; the historical model has no class constants
NAME = "invoices.poll_peppol_inbox"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    fields = {"func": "invoices.tasks.poll_peppol_inbox", "schedule_type": MINUTES, "minutes": 30, "repeats": -1}
    Schedule.objects.update_or_create(name=NAME, defaults=fields)


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("invoices", "0009_follow_transmissions_schedule")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
