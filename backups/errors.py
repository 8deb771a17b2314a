"""The one exception family of backups: each says, in words, why a backup or restore stopped."""

from __future__ import annotations


class BackupError(Exception):
    pass
