"""Serializer fields and filters the billing resources share: ids of the caller's own objects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# The largest id a row can have (a 32-bit key): a larger number names nothing.
LARGEST_ID = 2**31 - 1


class OwnObjectField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """An object of the caller's organisation by its id; another organisation's id reads as one
    that does not exist (the same message), so the answer never tells them apart."""

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset()
        return queryset.filter(organization=self.context["organization"])


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.Filter):
    """A filter on an id: a whole number within the ids a row can have."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)
