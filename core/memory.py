"""This process's own cache, for entries whose key names everything they show (a digest of the
rows on a page, of a top bar's contents, the dashboards' data version).

Nothing there is ever invalidated: what an entry shows cannot change without its key changing.
So no other process needs to see a write, and a hit costs no round trip to Redis. Nothing whose
key can stay the same while what it shows changes may go here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Each entry is a page fragment of ~1-30 kB: a few megabytes at most per process.
memory = LocMemCache("process", {"OPTIONS": {"MAX_ENTRIES": 1000}})
FRAGMENT_SECONDS = 300


def rendered(template_name: str, shown: object, context: Callable[[], dict[str, Any]]) -> SafeString:
    """`template_name` rendered with `context()` (no request, so no context processors), once
    per process for each value of `shown`, which must hold everything the result shows: the
    copy is kept under a digest of its repr()."""
    # The language too: the same values render in the language active for the request.
    digest = hashlib.blake2b(repr((get_language(), shown)).encode(), digest_size=16).hexdigest()
    key = f"fragment:{template_name}:{digest}"
    html: str | None = memory.get(key)
    if html is None:
        html = render_to_string(template_name, context())
        memory.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308  (our templates' output)
