"""Background work on bank data (django-q)."""

from __future__ import annotations

from banking import categories


def recategorize(organization_id: int) -> None:
    categories.recategorize(organization_id)
