"""Cross-cutting models: users, organisations (tenancy) and the audit log."""

from __future__ import annotations

from core.models.audit import AuditEvent
from core.models.invitations import Invitation
from core.models.tenancy import Membership, Organization, Role, TenantModel, TenantQuerySet
from core.models.users import User

__all__ = ["AuditEvent", "Invitation", "Membership", "Organization", "Role", "TenantModel", "TenantQuerySet", "User"]
