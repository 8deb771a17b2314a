"""Cloudinary's error answers: `{"error": {"message": "…"}}` with the HTTP status."""

from __future__ import annotations

from sandboxes.kit.web import Response, json_response


class CloudinaryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

    def response(self, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        return json_response({"error": {"message": self.message}}, self.status, headers=headers)


def missing(parameter: str) -> CloudinaryError:
    return CloudinaryError(400, f"Missing required parameter - {parameter}")


def not_found(public_id: str) -> CloudinaryError:
    return CloudinaryError(404, f"Resource not found - {public_id}")
