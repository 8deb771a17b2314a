"""How a provider failure is classified, which decides what the connection does next."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FailureClass(models.TextChoices):
    TRANSIENT = "transient", _("Temporary: retried later")
    AUTH = "auth", _("Authorisation: the customer must re-authorise")
    PERMANENT = "permanent", _("Permanent: needs attention")
    UNEXPECTED = "unexpected", _("Unexpected: retried a few times, then needs attention")


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


class UnexpectedError(ProviderError):
    """Our code failed in a way nobody classified: a bug or a provider answer we do not read.
    It is not known to be permanent, so the sync is retried with backoff a bounded number of
    times before the connection waits for a person."""

    failure_class = FailureClass.UNEXPECTED

    def __init__(self, exc: BaseException) -> None:
        self.exception_class = exc.__class__.__name__
        super().__init__(
            f"The sync stopped on an unexpected error in Smart Invoice ({self.exception_class}). "
            "Nothing already fetched is lost. It is retried automatically, and our team is told."
        )


class PermanentError(ProviderError):
    """The provider refused the request for a reason a retry will not fix."""

    failure_class = FailureClass.PERMANENT
