"""Paystack's error answers (paystack.com/docs/api/#errors): `{"status": false, "message": …}`
with the HTTP status telling 400 (validation), 401 (key), 404 (no such resource); validation
errors also carry `type`, `code` and `meta.nextStep`."""

from __future__ import annotations

from sandboxes.kit.web import Response, json_response


class PaystackError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, next_step: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.next_step = status, message, code, next_step


def invalid(
    message: str, code: str = "invalid_params", next_step: str = "Ensure that you provide valid params"
) -> PaystackError:
    return PaystackError(400, message, code, next_step)


def missing(message: str) -> PaystackError:
    return PaystackError(400, message, "missing_params", "Provide all required params")


def error_response(error: PaystackError) -> Response:
    body: dict[str, object] = {"status": False, "message": error.message}
    if error.code is not None:
        body.update({"meta": {"nextStep": error.next_step}, "type": "validation_error", "code": error.code})
    return json_response(body, error.status)
