"""Ponto's JSON:API error documents: `{"errors":[{"code","detail","meta"}]}`."""

from __future__ import annotations

from collections.abc import Mapping

from sandboxes.kit.web import Request, Response, json_response


class ApiError(Exception):
    """A JSON:API error response, raised by a handler."""

    def __init__(
        self, status: int, code: str, detail: str, meta: Mapping[str, object] | None = None, *, request_id: bool = True
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.meta = dict(meta or {})
        self.request_id = request_id  # a few documented bodies carry an empty meta


def not_found(resource: str) -> ApiError:
    return ApiError(404, "resourceNotFound", "The requested resource was not found.", {"resource": resource})


def validation_error(attribute: str, detail: str) -> ApiError:
    return ApiError(400, "validationError", detail, {"attribute": attribute})


def error_response(request: Request, error: ApiError) -> Response:
    meta = ({"requestId": request.request_id} if error.request_id else {}) | error.meta
    document = {"errors": [{"code": error.code, "detail": error.detail, "meta": meta}]}
    return json_response(document, error.status, request.content_type)
