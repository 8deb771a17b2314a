"""The access point's error answers, FastAPI style: `{"detail": "…"}`, and for a request that does not
fit the schema a 422 whose `detail` is pydantic's list of `{"type", "loc", "msg", "input"}`."""

from __future__ import annotations

from typing import Any

from sandboxes.kit.web import Response, json_response

INVALID_KEY = "Invalid or missing API key"


class ApiError(Exception):
    """An error answer; `detail` is a message or, for request validation, a list of field errors."""

    def __init__(
        self, status: int, detail: str | list[dict[str, Any]], headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(detail if isinstance(detail, str) else "request validation failed")
        self.status, self.detail, self.headers = status, detail, headers


def field_error(
    loc: tuple[str | int, ...], kind: str, message: str, given: object = None, context: dict[str, Any] | None = None
) -> ApiError:
    """A 422 naming one field, as FastAPI words it (pydantic v2). The real service may list several
    problems at once; a client should read the list, not its first element."""
    error: dict[str, Any] = {"type": kind, "loc": list(loc), "msg": message, "input": given}
    if context:
        error["ctx"] = context
    return ApiError(422, [error])


def missing(*loc: str | int) -> ApiError:
    """The reference's "Field required: body.file": `loc` is where pydantic looked (`body`, `query`)."""
    return field_error(loc, "missing", "Field required")


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def unauthorized() -> ApiError:
    return ApiError(401, INVALID_KEY, (("WWW-Authenticate", "Bearer"),))


def error_response(error: ApiError) -> Response:
    return json_response({"detail": error.detail}, error.status, headers=error.headers)
