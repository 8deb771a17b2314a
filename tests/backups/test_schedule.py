"""The daily schedule exists from the migration; its task backs up only when BACKUP_SCHEDULE is on."""

from __future__ import annotations

import pytest
from django.core.files.storage import Storage
from django_q.models import Schedule
from pytest_django.fixtures import Settings as SettingsWrapper

from backups.services import stored_backups
from backups.tasks import daily_backup


@pytest.mark.django_db
def test_the_backup_is_scheduled_daily():
    schedule = Schedule.objects.get(name="backups.daily_backup")

    assert schedule.func == "backups.tasks.daily_backup"
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1


@pytest.mark.django_db(transaction=True)
def test_the_task_does_nothing_while_the_schedule_is_off(backup_storage: Storage, settings: SettingsWrapper):
    settings.BACKUP_SCHEDULE = False

    assert daily_backup().startswith("off")
    assert stored_backups(backup_storage) == []


@pytest.mark.django_db(transaction=True)
def test_the_task_writes_a_backup_when_the_schedule_is_on(backup_storage: Storage, settings: SettingsWrapper):
    settings.BACKUP_SCHEDULE = True

    result = daily_backup()

    (name,) = backup_storage.listdir("")[1]
    assert result.startswith(name)
