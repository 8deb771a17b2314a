"""Serves plotly.js from the plotly package as a static file (`vendor/plotly/plotly.min.js`), so
the version drawn in the browser is the one the server builds figures for, with no CDN."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, overload

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

BUNDLE = "plotly.min.js"
PREFIX = "vendor/plotly"
_DIRECTORY = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=_DIRECTORY)
    storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        found = str(_DIRECTORY / BUNDLE) if path == f"{PREFIX}/{BUNDLE}" else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns: Any) -> Any:
        yield BUNDLE, self.storage
