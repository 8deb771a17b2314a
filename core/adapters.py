"""allauth hooks: who may sign up, per-address login throttling, MFA secrets encrypted at rest."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest

from core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_ALLOW_SIGNUP)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # The "key" part of ACCOUNT_RATE_LIMITS["login_failed"] counts failures per client
        # address *and* account: someone guessing a password from one address locks only
        # that address out of that account, never the owner signing in from elsewhere.
        # The "ip" part still throttles every failure from one address, whatever the account.
        return f"{get_ip(request)}:{super()._get_login_attempts_cache_key(request, **credentials)}"


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
