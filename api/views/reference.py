"""The API's reference page: Swagger UI from our own static files, reading `/api/v1/schema/`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def reference(request: HttpRequest) -> HttpResponse:
    return render(request, "api/reference.html")
