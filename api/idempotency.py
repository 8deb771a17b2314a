"""`Idempotency-Key` on the POSTs that create money movements: a request repeated with the same
key and body gets the first answer again (and creates nothing), the same key with another body is
refused, and a repeat while the first is still running is told to wait."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Conflict, Unprocessable
from api.models import IdempotentRequest
from api.permissions import membership_of

HEADER = "Idempotency-Key"
KEPT_FOR = datetime.timedelta(days=1)
_MAX_LENGTH = 255


def _fingerprint(request: Request) -> str:
    hashed = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    hashed.update(request._request.body)
    return hashed.hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Unprocessable([_("This Idempotency-Key was already used for another request.")])
    if record.status_code is None:
        raise Conflict(_("A request with this Idempotency-Key is still being processed; try again shortly."))
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


class IdempotentCreateMixin:
    """For a viewset's `create`: put it before `CreateModelMixin` (or the view's own create)."""

    idempotent = True  # the schema documents the header (api.schema)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "")
        if not key:
            return super().create(request, *args, **kwargs)  # type: ignore[misc,no-any-return]
        if len(key) > _MAX_LENGTH or not key.isascii() or not key.isprintable():
            raise ValidationError({HEADER: [_("At most 255 printable ASCII characters.")]})
        membership = membership_of(request)
        assert membership is not None  # the permission checked it
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            existing = (
                IdempotentRequest.objects.filter(
                    organization_id=membership.organization_id, key=key, created_at__gte=timezone.now() - KEPT_FOR
                )
                .order_by()
                .first()
            )
            if existing is not None:
                return _replay(existing, fingerprint)
            IdempotentRequest.objects.filter(organization_id=membership.organization_id, key=key).delete()
            try:
                # A concurrent twin waits here on the unique key until this transaction ends.
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        organization_id=membership.organization_id, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                twin = IdempotentRequest.objects.get(organization_id=membership.organization_id, key=key)
                return _replay(twin, fingerprint)
            response: Response = super().create(request, *args, **kwargs)  # type: ignore[misc]
            record.status_code = response.status_code
            record.body = response.data
            record.save(update_fields=["status_code", "body"])
        return response
