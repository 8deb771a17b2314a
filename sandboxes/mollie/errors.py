"""Mollie's error answers (docs.mollie.com/overview/handling-errors): `application/hal+json`
`{"status", "title", "detail", "field"?, "_links": {"documentation"}}`, which the SDK turns into
`mollie.api.error.ResponseError` subclasses by `status`."""

from __future__ import annotations

from http import HTTPStatus

from sandboxes.kit.web import Response, json_response

HAL = "application/hal+json"
ERRORS_PAGE = "https://docs.mollie.com/overview/handling-errors"
# Mollie's wording where it differs from the HTTP reason phrase.
TITLES = {401: "Unauthorized Request"}


class MollieError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


def unprocessable(detail: str, field: str) -> MollieError:
    return MollieError(422, detail, field)


def not_found(what: str, identifier: str) -> MollieError:
    return MollieError(404, f"No {what} exists with token {identifier}.")


def error_response(error: MollieError) -> Response:
    body: dict[str, object] = {
        "status": error.status,
        "title": TITLES.get(error.status, HTTPStatus(error.status).phrase),
        "detail": error.detail,
    }
    if error.field is not None:
        body["field"] = error.field
    body["_links"] = {"documentation": {"href": ERRORS_PAGE, "type": "text/html"}}
    return json_response(body, error.status, HAL)
