"""Every ten minutes the worker asks the providers about recent online payments still open or
pending: the fallback for a webhook that never came."""

from django.db import migrations

MINUTES = "I"  # django_q.models.Schedule.MINUTES; the historical model has no class constants
NAME = "payments.follow_unfinished_payments"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    fields = {
        "func": "payments.tasks.follow_unfinished_payments",
        "schedule_type": MINUTES,
        "minutes": 10,
        "repeats": -1,
    }
    Schedule.objects.update_or_create(name=NAME, defaults=fields)


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_fetch_settlements_schedule")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
