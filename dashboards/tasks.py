"""Background work of the dashboards (django-q)."""

from __future__ import annotations

from dashboards import categories


def recategorize(organization_id: int) -> None:
    categories.recategorize(organization_id)
