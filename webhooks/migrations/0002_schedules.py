"""The webhook jobs as django-q schedules: every minute the deliveries whose next attempt has come
are attempted (webhooks.tasks.deliver_due); every night at 03:00 the delivery log is pruned."""

import datetime

from django.db import migrations
from django.utils import timezone

MINUTES = "I"  # django_q.models.Schedule.MINUTES and DAILY; the historical model has no constants
DAILY = "D"

SCHEDULES = [
    ("webhooks.deliver_due", "webhooks.tasks.deliver_due", {"schedule_type": MINUTES, "minutes": 1}),
    ("webhooks.prune_delivery_log", "webhooks.tasks.prune_delivery_log", {"schedule_type": DAILY}),
]


def _next_three_oclock():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(3)))


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, timing in SCHEDULES:
        fields = {"func": func, "repeats": -1, **timing}
        first_run = _next_three_oclock() if timing["schedule_type"] == DAILY else timezone.now()
        Schedule.objects.update_or_create(name=name, defaults=fields, create_defaults={**fields, "next_run": first_run})


def delete_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
