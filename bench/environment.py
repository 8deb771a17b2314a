"""What every benchmark does before Django's settings load: pick its own PostgreSQL database
(refusing any whose name lacks "bench", since the benchmark drops it) and quiet development
settings."""

from __future__ import annotations

import os
from typing import Any

import dj_database_url


def bench_database(variable: str, default_url: str) -> tuple[str, dict[str, Any]]:
    """The URL in `variable` (or the default) and its parsed parameters, checked."""
    url = os.environ.get(variable) or default_url
    params: dict[str, Any] = dict(dj_database_url.parse(url))
    if "postgresql" not in str(params.get("ENGINE")):
        raise SystemExit(f"{variable} must name a PostgreSQL database, not {params.get('ENGINE')}")
    if "bench" not in str(params["NAME"]):
        raise SystemExit(f"Refusing to drop {params['NAME']!r}: the bench database's name must contain 'bench'.")
    return url, params


def use_quiet_development_settings(database_url: str, **extra: str) -> None:
    os.environ |= {
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "Q_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **extra,
    }
