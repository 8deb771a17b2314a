"""URLs without arguments, reversed once per process.

Every page links to some twenty of them (the navigation, the user menu, the sub-navigation),
and Django's `reverse()` walks the resolver each time: about a third of the base template's
time. The result of an argument-less `reverse()` depends only on the name, the namespace
asked for, the URLconf, the script prefix and the language, which together are the memo's key;
the URLconf does not change while the process runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_Key = tuple[str, str | None, str, str, str | None]
_reversed: dict[_Key, str] = {}


def _request_context() -> tuple[str, str, str | None]:
    """What reverse() reads besides the name: the URLconf, the script prefix and the language
    of the current request (thread-local values, each a costly read)."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()


def _link(viewname: str, current_app: str | None, context: tuple[str, str, str | None]) -> str:
    key = (viewname, current_app, *context)
    url = _reversed.get(key)
    if url is None:
        # Two threads may both reverse a name on a cold start: they store the same string.
        url = _reversed[key] = reverse(viewname, current_app=current_app)
    return url


def link(viewname: str, current_app: str | None = None) -> str:
    """`reverse(viewname, current_app=current_app)`, memoised. A name that does not reverse
    raises NoReverseMatch, as reverse() does, and is not remembered."""
    return _link(viewname, current_app, _request_context())


def links(viewnames: Iterable[str]) -> list[str | None]:
    """The URLs of these names, as `link` gives them, None for a name that does not reverse:
    the request's URLconf, prefix and language are read once for all of them."""
    context = _request_context()
    urls: list[str | None] = []
    for viewname in viewnames:
        try:
            urls.append(_link(viewname, None, context))
        except NoReverseMatch:
            urls.append(None)
    return urls
