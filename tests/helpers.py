"""Small helpers for tests that act as several people at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.test import Client

from core.models import User

__all__ = ["TestResponse", "logged_in_client"]

if TYPE_CHECKING:
    # What the test client returns: a response with .json(), .context and .wsgi_request.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
else:
    TestResponse = object


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
