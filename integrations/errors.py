"""How a provider failure is classified, which decides what the connection does next."""

from __future__ import annotations

from django.db import models


class FailureClass(models.TextChoices):
    TRANSIENT = "transient", "Temporary: retried later"
    AUTH = "auth", "Authorisation: the customer must re-authorise"
    PERMANENT = "permanent", "Permanent: needs attention"


class ProviderError(Exception):
    failure_class: FailureClass = FailureClass.PERMANENT

    def __init__(self, message: str, *, request_id: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.status = status


class TransientError(ProviderError):
    """Timeouts, dropped connections, 5xx, 429: worth retrying after a pause."""

    failure_class = FailureClass.TRANSIENT

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class QuotaExceeded(TransientError):
    """The provider's call budget for today is used up: wait until it resets (retry_after)."""


class AuthError(ProviderError):
    """The provider no longer accepts our credentials: invalid_grant, revoked or expired consent."""

    failure_class = FailureClass.AUTH


class PermanentError(ProviderError):
    """The provider refused the request for a reason a retry will not fix."""

    failure_class = FailureClass.PERMANENT
