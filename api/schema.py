"""The OpenAPI description: every operation documents the errors it can answer, in the one
error shape (api.errors), besides its own success response."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.idempotency import HEADER as IDEMPOTENCY_HEADER


class ErrorDetail(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable machine-readable code: invalid, not_found, throttled, …")
    message = serializers.CharField(help_text="What went wrong, in the caller's language.")
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Field → messages; `lines.0.quantity` for a nested field, "non_field_errors" for the whole request.',
    )


class Error(serializers.Serializer[Any]):
    error = ErrorDetail()


_ERRORS = {
    "400": "The request's data is not valid (see details).",
    "401": "No credentials, or an API key that is unknown, revoked or expired.",
    "403": "The key's scope or the member's role does not allow this.",
    "404": "No such object in this organisation.",
    "429": "Too many requests: wait the seconds the Retry-After header gives.",
}
_WRITE_ERRORS = {
    "409": "The object's state does not allow this now.",
    "422": "Well-formed, but a business rule refuses it (see message).",
}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors |= _WRITE_ERRORS
        error = self.resolve_serializer(Error, "response").ref
        for code, description in errors.items():
            responses.setdefault(code, {"description": description, "content": {"application/json": {"schema": error}}})
        return responses

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if getattr(self.view, "idempotent", False) and self._is_create_operation():
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    description="A key of your choosing (≤ 255 characters): a repeat with the same key and "
                    "body within a day returns the first answer and creates nothing.",
                )
            )
        return parameters


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API key, `sik_…`, created by an admin under Settings → API keys.",
        }
