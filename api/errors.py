"""Every error of the API in one shape, `{"error": {"code", "message", "details"}}`, with the
status that says what went wrong: the caller's data (400), a rule of ours it breaks (422), a
conflict with the state of things (409), who is asking (401, 403), what is asked for (404)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# The field of a detail that is about the request as a whole.
WHOLE_REQUEST = "non_field_errors"


class Unprocessable(APIException):
    """Well-formed, but a business rule refuses it (an invoice already sent cannot be edited)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"

    def __init__(self, messages: list[str], details: dict[str, list[str]] | None = None) -> None:
        super().__init__(" ".join(messages))
        self.details = details or {}


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """`lines.0.quantity` for a nested serializer's error, so every detail is field → messages."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list) and detail and all(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            yield from _flatten(value, f"{path}.{index}" if path else str(index))
    elif isinstance(detail, list):
        for item in detail:
            yield path or WHOLE_REQUEST, str(item)
    else:
        yield path or WHOLE_REQUEST, str(detail)


def _details(detail: Any) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for field, message in _flatten(detail):
        details.setdefault(field, []).append(message)
    return details


def error_body(code: str, message: str, details: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _from_django(exc: DjangoValidationError) -> Unprocessable:
    if hasattr(exc, "error_dict"):
        details = {WHOLE_REQUEST if key == "__all__" else key: value for key, value in exc.message_dict.items()}
        return Unprocessable([m for messages in details.values() for m in messages], details)
    return Unprocessable(list(exc.messages))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        details = _details(exc.detail)
        response.data = error_body(
            "invalid", _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(details)}, details
        )
    elif isinstance(exc, Unprocessable):
        response.data = error_body(exc.default_code, str(exc.detail), exc.details)
    elif isinstance(exc, APIException):
        code = exc.get_codes()
        response.data = error_body(code if isinstance(code, str) else exc.default_code, str(exc.detail))
    else:  # Django's Http404 and PermissionDenied, which DRF turned into its own
        response.data = error_body(
            "not_found" if response.status_code == 404 else "permission_denied", str(response.data.get("detail", ""))
        )
    return response


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under the API that names nothing: 404 for every method, never a CSRF page (a key
    sends no cookie to forge)."""
    return JsonResponse(error_body("not_found", _("There is no such endpoint in this API.")), status=404)
