"""The daily billing jobs as django-q schedules: overdue marking at 06:00, reminders at 08:00.

next_run is the next such hour in the configured time zone (Europe/Brussels); a DAILY
schedule then adds 24 hours each run, so across a DST change it drifts by an hour.
"""

import datetime

from django.db import migrations
from django.utils import timezone

DAILY = "D"  # django_q.models.Schedule.DAILY; the historical model has no class constants

SCHEDULES = [
    ("invoices.check_overdue_invoices", "invoices.tasks.check_overdue_invoices", 6),
    ("invoices.send_payment_reminders", "invoices.tasks.send_payment_reminders", 8),
]


def _next_run_at(hour):
    """The next `hour` o'clock, local time, still to come."""
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=1)):
        run = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        if run > timezone.now():
            return run
    raise AssertionError("unreachable: tomorrow at any hour is in the future")


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, hour in SCHEDULES:
        fields = {"func": func, "schedule_type": DAILY, "repeats": -1}
        Schedule.objects.update_or_create(
            name=name, defaults=fields, create_defaults={**fields, "next_run": _next_run_at(hour)}
        )


def delete_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
