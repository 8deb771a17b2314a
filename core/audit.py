"""The one way the service writes audit events."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest

from core.http import client_ip, current_request_id, user_agent
from core.models import AuditEvent, Organization, User


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    # Decimals, dates and UUIDs become strings exactly as DjangoJSONEncoder writes them.
    result: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return result


def record_event(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it records."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    changes = {
        key: value for key, value in (("before", _jsonable(before)), ("after", _jsonable(after))) if value is not None
    }
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        request_id=current_request_id(),
        changes=changes,
    )
