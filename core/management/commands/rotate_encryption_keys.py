"""Re-encrypt every stored secret under the newest key of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import crypto
from core.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (and allauth's MFA secrets) under the first key of "
        "FIELD_ENCRYPTION_KEYS. Put the new key first, run this, then drop the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if fields:
                total += self._rotate_columns(model._meta.db_table, model._meta.pk.column, [f.column for f in fields])
        total += self._rotate_mfa_secrets()
        self.stdout.write(f"Re-encrypted {total} value(s) under the newest key.")

    def _rotate_columns(self, table: str, pk: str, columns: list[str]) -> int:
        # Raw SQL on the ciphertext: the model layer would decrypt and re-encrypt anyway, this
        # way no plaintext is ever held in a model instance.
        quote = connection.ops.quote_name
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(pk)}, {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values = [crypto.reencrypt(v) if v else v for v in row[1:]]
                assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s", [*values, row[0]])  # noqa: S608
                count += sum(1 for v in row[1:] if v)
        return count

    def _rotate_mfa_secrets(self) -> int:
        from allauth.mfa.models import Authenticator

        count = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update():
                data = dict(authenticator.data)
                for key in ("secret", "seed"):
                    if data.get(key):
                        data[key] = crypto.reencrypt(data[key])
                        count += 1
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        return count
