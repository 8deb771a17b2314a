"""Static files in production: WhiteNoise's compressed files with hashed names, each name's URL
worked out once per process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings

# whitenoise ships no type information.
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """The manifest is read when the process starts and only `collectstatic` rewrites it, so a
    name's URL does not change while the process serves pages; working it out of the manifest
    (parsing, quoting, joining: five `{% static %}` on the dashboard) was ~6 % of that page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if name is None or force:
            return str(super().url(name, force))
        key = (name, settings.DEBUG)  # with DEBUG on, the URL is the name, unhashed
        url = self._urls.get(key)
        if url is None:
            # A name missing from the manifest raises, and is not remembered.
            url = self._urls[key] = str(super().url(name))
        return url

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._urls.clear()  # the manifest is being written again
        yield from super().post_process(*args, **kwargs)
