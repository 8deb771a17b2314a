"""The django-q broker on Redis, deferring tasks to the database while Redis is down.

Queuing a task (a sync, a booking, a recategorisation) happens inside a page's request: with
Redis unreachable the page must still answer. The task is then kept in django-q's ORM queue
table under a key of its own, and the cluster moves it onto Redis, once Redis answers again,
before it takes the next task.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
import redis.exceptions
from django.db import transaction
from django.utils import timezone
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
from django_q.models import OrmQ

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# How often the cluster looks for deferred tasks (it asks Redis for a task every second).
REQUEUE_INTERVAL_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 2.0
# Above the one second the cluster blocks on Redis waiting for a task.
SOCKET_TIMEOUT_SECONDS = 5.0


# django-q has no type hints.
class DeferringRedisBroker(Redis):  # type: ignore[misc]
    _next_requeue = 0.0

    @property
    def deferred_key(self) -> str:
        return f"{self.list_key}:deferred"

    def enqueue(self, task: str) -> Any:
        try:
            return super().enqueue(task)
        except UNREACHABLE as exc:
            deferred = OrmQ.objects.create(key=self.deferred_key, payload=task, lock=timezone.now())
            logger.warning(
                "Queue broker unreachable (%s): task deferred to the database as %s until Redis is back",
                exc.__class__.__name__,
                deferred.pk,
            )
            return deferred.pk

    def dequeue(self) -> Any:
        if time.monotonic() >= self._next_requeue:
            self._next_requeue = time.monotonic() + REQUEUE_INTERVAL_SECONDS
            self.requeue_deferred()
        return super().dequeue()

    def requeue_deferred(self) -> int:
        """Move deferred tasks onto Redis, oldest first, one at a time; the number moved."""
        moved = 0
        for deferred_id in OrmQ.objects.filter(key=self.deferred_key).order_by("id").values_list("id", flat=True):
            with transaction.atomic():
                row = OrmQ.objects.select_for_update().filter(pk=deferred_id, key=self.deferred_key).first()
                if row is None:  # another cluster moved it
                    continue
                super().enqueue(row.payload)
                row.delete()
            moved += 1
        if moved:
            logger.info("Moved %s deferred task(s) onto the queue broker", moved)
        return moved

    def deferred_count(self) -> int:
        return int(OrmQ.objects.filter(key=self.deferred_key).count())

    @staticmethod
    def get_connection(list_key: str | None = None) -> redis.Redis:
        # Without timeouts a host that drops packets would hold the page for minutes.
        return redis.from_url(
            str(Conf.REDIS),
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
        )
