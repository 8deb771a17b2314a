"""Helpers the billing views share."""

from __future__ import annotations

from django.http import HttpRequest

from core.models import Organization


def organization_of(request: HttpRequest) -> Organization:
    organization: Organization = request.organization  # type: ignore[attr-defined]
    return organization
