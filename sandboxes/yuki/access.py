"""Access keys, sessions and the daily call quota.

* A key belongs to one region's host and reaches a domain (all its administrations) or only some
  administrations; on the other region's host it is an invalid key.
* `Authenticate` opens a session valid for 24 hours of sandbox time on that host.
* Every call that reaches a domain counts against that domain's quota for the day, `Authenticate`
  included (the reference leaves this open [U]; counting it is the safe assumption for a
  connector). The day ends at midnight Europe/Amsterdam.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from sandboxes.yuki.formats import local_day

SESSION_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AccessKey:
    value: str
    region: str
    domain_id: str
    administration_ids: frozenset[str] | None = None  # None: every administration of the domain

    def reaches(self, administration_id: str, domain_administrations: list[str]) -> bool:
        if administration_id not in domain_administrations:
            return False
        return self.administration_ids is None or administration_id in self.administration_ids


@dataclass(slots=True)
class Session:
    id: str
    key: AccessKey
    created: datetime
    expires: datetime
    current_domain: str


class AuthError(Exception):
    """The key or session is not (or no longer) valid."""


@dataclass
class Sessions:
    EXPIRED: ClassVar[str] = "Invalid SessionID: the session is unknown or has expired"

    keys: dict[str, AccessKey]
    lifetime: timedelta = SESSION_LIFETIME
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, value: str, region: str) -> AccessKey:
        key = self.keys.get(value.strip())
        if key is None or key.region != region:
            raise AuthError("Invalid access key")
        return key

    def open(self, key: AccessKey, now: datetime) -> Session:
        session = Session(str(uuid.uuid4()), key, now, now + self.lifetime, key.domain_id)
        with self._lock:
            self._sessions[session.id] = session
        return session

    def resolve(self, session_id: str, region: str, now: datetime) -> Session:
        with self._lock:
            session = self._sessions.get(session_id.strip().lower())
            if session is not None and now >= session.expires:
                del self._sessions[session.id]
                session = None
        if session is None or session.key.region != region:
            raise AuthError(self.EXPIRED)
        return session

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id.strip().lower(), None)

    def summary(self, now: datetime) -> dict[str, int]:
        with self._lock:
            live = sum(1 for session in self._sessions.values() if now < session.expires)
            return {"active": live, "expired": len(self._sessions) - live}


class QuotaExceeded(Exception):
    pass


@dataclass
class Quota:
    """Calls per domain per Amsterdam day; the call over `limit` and every later one that day fail."""

    limit: int
    _used: dict[tuple[str, date], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def charge(self, domain_id: str, now: datetime) -> int:
        today = local_day(now)
        with self._lock:
            for stale in [key for key in self._used if key[1] < today]:
                del self._used[stale]
            used = self._used.get((domain_id, today), 0) + 1
            self._used[(domain_id, today)] = used
        if used > self.limit:
            raise QuotaExceeded(self.message)
        return used

    @property
    def message(self) -> str:
        return f"Daily limit exceeded: this domain has used its {self.limit} web service calls for today"

    def used(self, domain_id: str, now: datetime) -> int:
        with self._lock:
            return self._used.get((domain_id, local_day(now)), 0)

    def reset(self, domain_id: str | None = None) -> None:
        with self._lock:
            for key in [key for key in self._used if domain_id is None or key[0] == domain_id]:
                del self._used[key]
