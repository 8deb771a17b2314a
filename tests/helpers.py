"""Small helpers for tests that act as several people at once."""

from __future__ import annotations

from django.test import Client

from core.models import User


def logged_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
