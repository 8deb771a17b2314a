"""What a Ponto sync remembers between runs: the synchronizations whose updated transactions are
still to be applied, and the webhook signatures already received.

They belong to the integrations app (`app_label`), whose migrations create their tables.
"""

from __future__ import annotations

import uuid

from django.db import models

from banking.models import BankAccount


class SynchronizationOrigin(models.TextChoices):
    REQUESTED = "requested", "Requested by us"
    WEBHOOK = "webhook", "Announced by a webhook"
    PONTO = "ponto", "Ponto's own, seen on the account"


class PontoSynchronizationQuerySet(models.QuerySet["PontoSynchronization"]):
    def open(self) -> PontoSynchronizationQuerySet:
        return self.filter(closed_at__isnull=True)


class PontoSynchronization(models.Model):
    """A synchronization of one account whose `updated-transactions` we apply once.

    A synchronization we ask for is recorded (with its idempotency key) before the request, and
    its id as soon as Ponto answers, so an interrupted sync resumes it instead of asking again
    and meeting `accountRecentlySynchronized`.
    """

    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="+")
    # Empty while our request for it has no answer yet.
    synchronization_id = models.CharField(max_length=64, blank=True)
    origin = models.CharField(max_length=16, choices=SynchronizationOrigin.choices)
    idempotency_key = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set in the transaction that applies its updated transactions (or gives it up).
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    objects = PontoSynchronizationQuerySet.as_manager()

    class Meta:
        app_label = "integrations"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "synchronization_id"],
                condition=~models.Q(synchronization_id=""),
                name="ponto_synchronization_once",
            )
        ]

    def __str__(self) -> str:
        return f"Ponto synchronization {self.synchronization_id or '(requested)'} of account {self.account_id}"


class PontoWebhookReceipt(models.Model):
    """The `jti` of a webhook signature already accepted, kept until the signature expires: the
    unique constraint refuses a replay, in every worker, whatever the cache does."""

    jti = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "integrations"

    def __str__(self) -> str:
        return f"Ponto webhook {self.jti}"
