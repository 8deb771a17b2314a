"""Receivers: account events into the audit log, membership changes out of the cache."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed, password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from core import tenancy
from core.audit import record_event
from core.models import Membership, Organization, User


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record_event("auth.login", request=request, actor=user, target=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_event("auth.logout", request=request, actor=user, target=user)


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    target = User.objects.filter(email__iexact=email).first() if email else None
    record_event("auth.login_failed", request=request, actor=None, target=target, after={"email": email})


@receiver(password_changed)
def audit_password_changed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event("auth.password_changed", request=request, actor=user, target=user)


@receiver(password_reset)
def audit_password_reset(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event("auth.password_reset", request=request, actor=user, target=user)


@receiver(email_confirmed)
def audit_email_confirmed(sender: Any, request: HttpRequest, email_address: Any, **kwargs: Any) -> None:
    user = email_address.user
    record_event("auth.email_confirmed", request=request, actor=user, target=user, after={"email": email_address.email})


def _audit_authenticator(action: str, request: HttpRequest, authenticator: Any) -> None:
    user = authenticator.user
    record_event(action, request=request, actor=user, target=user, after={"type": authenticator.type})


@receiver(authenticator_added)
def audit_mfa_added(sender: Any, request: HttpRequest, authenticator: Any, **kwargs: Any) -> None:
    _audit_authenticator("mfa.added", request, authenticator)


@receiver(authenticator_removed)
def audit_mfa_removed(sender: Any, request: HttpRequest, authenticator: Any, **kwargs: Any) -> None:
    _audit_authenticator("mfa.removed", request, authenticator)


@receiver(authenticator_reset)
def audit_mfa_reset(sender: Any, request: HttpRequest, authenticator: Any, **kwargs: Any) -> None:
    _audit_authenticator("mfa.recovery_codes_reset", request, authenticator)


def _forget_now_and_after_commit(user_ids: list[int]) -> None:
    # Also after the commit: a request between the change and its commit would cache the old role.
    def forget() -> None:
        for user_id in user_ids:
            tenancy.forget_memberships(user_id)

    forget()
    transaction.on_commit(forget)


@receiver([post_save, post_delete], sender=Membership)
def forget_cached_memberships(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _forget_now_and_after_commit([instance.user_id])


@receiver(post_save, sender=Organization)
def forget_cached_memberships_of_members(sender: Any, instance: Organization, **kwargs: Any) -> None:
    _forget_now_and_after_commit(list(instance.memberships.values_list("user_id", flat=True)))
