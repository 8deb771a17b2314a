"""Injected failures: throttling, server errors, slow or dropped connections, answers lost after
the work was done, bad JSON, expired consent.

A fault matches requests whose path (with or without the `/ponto-connect` prefix) starts with
its `path`; it lets the first `after` matching requests through, then fails the next `times`
ones (`times: null` = until cleared). Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandboxes.kit import faults as kit

# "lost_answer": the request is carried out, then the connection drops before the answer.
# "wrong_shape": a 200 with valid JSON that is not the document asked for.
TRANSPORT_KINDS = ("429", "500", "503", "timeout", "drop", "malformed", "lost_answer", "wrong_shape")
KINDS = (*TRANSPORT_KINDS, "expired_consent", "revoked")


@dataclass(slots=True)
class Fault(kit.Fault):
    path: str = ""
    retry_after: int = 1

    @property
    def lasting(self) -> bool:
        return self.kind != "revoked"  # revoking every token is done once, when added

    def matches(self, path: str, api_path: str) -> bool:
        return path.startswith(self.path) or api_path.startswith(self.path)

    def matching(self) -> dict[str, object]:
        return {"path": self.path, "retryAfter": self.retry_after}


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
    kind = kit.fault_kind(spec, KINDS)
    path = spec.get("path", "")
    if not isinstance(path, str):
        raise ValueError("path must be a string")
    seconds = kit.positive_seconds(spec)
    default_times = None if kind == "expired_consent" else 1
    return Fault(
        id=fault_id,
        kind=kind,
        path=path,
        times=kit.whole_number(spec, "times", default_times, 1),
        after=kit.whole_number(spec, "after", 0, 0) or 0,
        retry_after=kit.whole_number(spec, "retry_after", 1, 0) or 0,
        seconds=seconds,
    )


class FaultBook(kit.FaultBook[Fault]):
    def __init__(self) -> None:
        super().__init__(parse_fault)

    def take_for(self, path: str, api_path: str, kinds: tuple[str, ...]) -> Fault | None:
        """The first fault of one of `kinds` that fails this request, if any, counting the request."""
        return self.take(lambda fault: fault.kind in kinds and fault.matches(path, api_path))

    def consent_expired(self) -> bool:
        return self.any_live(lambda fault: fault.kind == "expired_consent")
