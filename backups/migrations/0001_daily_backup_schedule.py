"""The daily backup as a django-q schedule, first run tomorrow at 02:00 local time (a quiet hour,
before the webhook log's pruning at 03:00 and the billing jobs at 06:00). The task does nothing
unless BACKUP_SCHEDULE is on (the default when DEBUG is off)."""

import datetime

from django.db import migrations
from django.utils import timezone

DAILY = "D"  # django_q.models.Schedule.DAILY; the historical model has no class constants
NAME = "backups.daily_backup"


def _tomorrow_at_two():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(2)))


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    fields = {"func": "backups.tasks.daily_backup", "schedule_type": DAILY, "repeats": -1}
    Schedule.objects.update_or_create(
        name=NAME, defaults=fields, create_defaults={**fields, "next_run": _tomorrow_at_two()}
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
