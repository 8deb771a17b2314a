"""A match waiting for review no longer stores why in English: its page works the reason out in
the reader's language. The notes the matcher wrote before are blanked, so they do not show twice;
a note saying why paying automatically failed stays."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

# The three reasons the matcher stored, as it wrote them.
OLD_REASONS = (
    Q(note="The client has no open invoice of exactly this amount: pick the invoices it pays.")
    | Q(note__endswith=" open invoices fit: pick the one it pays, or split it.")
    | Q(note__contains=" is more than the open amount of ", note__endswith="): split it, or reject it.")
)


def blank_old_reasons(apps: Any, schema_editor: Any) -> None:
    apps.get_model("banking", "Match").objects.filter(OLD_REASONS).update(note="")


class Migration(migrations.Migration):
    dependencies = [("banking", "0004_transactions_screen")]

    operations = [migrations.RunPython(blank_old_reasons, migrations.RunPython.noop, elidable=True)]
