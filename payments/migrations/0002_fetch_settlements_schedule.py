"""Every six hours the worker fetches the payment providers' settlements, so their payouts are
known before the bank's next sync brings them in."""

from django.db import migrations

MINUTES = "I"  # django_q.models.Schedule.MINUTES; the historical model has no class constants
NAME = "payments.fetch_settlements"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    fields = {"func": "payments.tasks.fetch_settlements", "schedule_type": MINUTES, "minutes": 360, "repeats": -1}
    Schedule.objects.update_or_create(name=NAME, defaults=fields)


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_online_payment"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
