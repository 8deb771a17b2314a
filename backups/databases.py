"""Dumping a database to a file and loading one into an empty database, per engine.

PostgreSQL goes through pg_dump / pg_restore (custom format), with the password in the
subprocess's PGPASSWORD, never on its command line. SQLite is copied with sqlite3's online
backup API, which gives a consistent copy while others write, and gzipped.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url

from backups.errors import BackupError

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
_ENGINES = {"django.db.backends.postgresql": POSTGRESQL, "django.db.backends.sqlite3": SQLITE}


class DumpError(BackupError):
    """A dump or restore could not be done (the tool's own message is included)."""


@dataclass(frozen=True)
class Database:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Database:
        """From a DATABASES entry (or dj_database_url's parse of a URL)."""
        engine = _ENGINES.get(values["ENGINE"])
        if engine is None:
            raise DumpError(f"Backups support PostgreSQL and SQLite, not {values['ENGINE']}.")
        return cls(
            engine=engine,
            name=str(values["NAME"]),
            user=str(values.get("USER") or ""),
            password=str(values.get("PASSWORD") or ""),
            host=str(values.get("HOST") or ""),
            port=str(values.get("PORT") or ""),
            sslmode=str((values.get("OPTIONS") or {}).get("sslmode") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls.from_settings(dict(dj_database_url.parse(url)))

    def _pg_arguments(self) -> list[str]:
        arguments = [f"--dbname={self.name}"]
        for flag, value in (("--host", self.host), ("--port", self.port), ("--username", self.user)):
            if value:
                arguments.append(f"{flag}={value}")
        return arguments

    def _pg_environment(self) -> dict[str, str]:
        environment = {**os.environ, "PGPASSWORD": self.password}
        if self.sslmode:
            environment["PGSSLMODE"] = self.sslmode
        return environment

    def _run(self, command: list[str]) -> str:
        """Run a PostgreSQL client program; returns its output."""
        result = subprocess.run(  # noqa: S603 - fixed programs, arguments from settings, no shell
            command, env=self._pg_environment(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise DumpError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        return result.stdout

    def dump(self, target: Path) -> None:
        """Write this database's dump to `target`: pg_dump's custom format, or a gzipped SQLite file.

        SQLite's backup waits while another connection holds a write transaction (for ever, in a
        test's in-memory database: tests that back up run with transaction=True).
        """
        if self.engine == POSTGRESQL:
            self._run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target}",
                    *self._pg_arguments(),
                ]
            )
            return
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "copy.sqlite3"
            # uri=True: Django's in-memory test database is a shared-cache URI; a path stays a path.
            with closing(sqlite3.connect(self.name, uri=True)) as source, closing(sqlite3.connect(copy)) as dest:
                source.backup(dest)
            with copy.open("rb") as plain, gzip.open(target, "wb") as packed:
                shutil.copyfileobj(plain, packed)

    def table_count(self) -> int:
        """How many tables the database holds (0 also when an SQLite file does not exist yet)."""
        if self.engine == SQLITE:
            # A file not there yet is empty (and connecting would create it); a URI is Django's
            # in-memory test database.
            if not self.name.startswith("file:") and not Path(self.name).exists():
                return 0
            with closing(sqlite3.connect(self.name, uri=True)) as db:
                return int(db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
        output = self._run(
            [
                "psql",
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--command=SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
                *self._pg_arguments(),
            ]
        )
        return int(output.strip())

    def load(self, dump: Path) -> None:
        """Load a dump written by `dump` into this database, which must be empty."""
        if self.engine == POSTGRESQL:
            self._run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *self._pg_arguments(), str(dump)]
            )
            return
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "copy.sqlite3"
            with gzip.open(dump, "rb") as packed, copy.open("wb") as plain:
                shutil.copyfileobj(packed, plain)
            with closing(sqlite3.connect(copy)) as source, closing(sqlite3.connect(self.name, uri=True)) as dest:
                source.backup(dest)
