"""The worker's messaging schedules: every five minutes each WhatsApp message Twilio has not
accepted yet (a timeout, a 5xx) is handed over again; every ten minutes Twilio is asked about the
messages no status callback has settled (a lost callback); every hour the PDFs uploaded to
Cloudinary whose links have expired are destroyed."""

from django.db import migrations

MINUTES = "I"  # django_q.models.Schedule.MINUTES; the historical model has no class constants
HOURLY = "H"
SCHEDULES = {
    "messaging.send_pending": {"func": "messaging.tasks.send_pending", "schedule_type": MINUTES, "minutes": 5},
    "messaging.follow_messages": {"func": "messaging.tasks.follow_messages", "schedule_type": MINUTES, "minutes": 10},
    "messaging.destroy_expired_pdfs": {"func": "messaging.tasks.destroy_expired_pdfs", "schedule_type": HOURLY},
}


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, fields in SCHEDULES.items():
        Schedule.objects.update_or_create(name=name, defaults={**fields, "repeats": -1})


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_messages_and_pdf_assets"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
