"""Lists a page at a time along an opaque cursor: `{"data": [...], "next": <url or null>}`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response


class CursorPage(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 100
    ordering = "-id"

    def decode_cursor(self, request: Any) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [_("This cursor is not one this API gave out.")]}) from exc

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"data": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["data", "next"],
            "properties": {
                "data": schema,
                "next": {"type": ["string", "null"], "format": "uri", "description": _("The next page, if any.")},
            },
        }
