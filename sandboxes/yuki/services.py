"""The services, their web methods, and carrying out one call: key or session, quota, parameters, handler.

Order of checks: the key (Authenticate) or the session, then the domain's daily quota (so every
call that reaches a domain counts, including Authenticate and calls that fault later), then the
parameter values, then the method itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.yuki import accounting, common, contacts, info_and_digest, sales
from sandboxes.yuki.access import AccessKey, AuthError, QuotaExceeded, Session
from sandboxes.yuki.faults import Fault
from sandboxes.yuki.operations import Call, Operation
from sandboxes.yuki.soap import Envelope, server_fault

if TYPE_CHECKING:
    from sandboxes.yuki.state import YukiSandbox


def _table(*groups: tuple[Operation, ...]) -> dict[str, Operation]:
    return {operation.name: operation for group in (common.OPERATIONS, *groups) for operation in group}


SERVICES: dict[str, dict[str, Operation]] = {
    "Accounting": _table(accounting.OPERATIONS),
    "AccountingInfo": _table(info_and_digest.ACCOUNTING_INFO),
    "ChangeDigest": _table(info_and_digest.CHANGE_DIGEST),
    "Contact": _table(contacts.OPERATIONS),
    "Sales": _table(sales.OPERATIONS),
}
_BY_LOWER = {name.lower(): name for name in SERVICES}


def service_name(path_name: str) -> str | None:
    """The service for a path segment; IIS paths are not case-sensitive."""
    return _BY_LOWER.get(path_name.lower())


def _caller(
    sandbox: YukiSandbox, region: str, operation: Operation, envelope: Envelope, injected: Fault | None
) -> tuple[AccessKey, Session | None]:
    now = sandbox.now()
    if operation.session is None:
        return sandbox.sessions.key(envelope.text("accessKey") or "", region), None
    session_id = envelope.text(operation.session)
    if session_id is None:
        raise server_fault(f"Value cannot be null. Parameter name: {operation.session}")
    if injected is not None and injected.kind == "expired_session":
        sandbox.sessions.drop(session_id)
    session = sandbox.sessions.resolve(session_id, region, now)
    return session.key, session


def invoke(
    sandbox: YukiSandbox, region: str, operation: Operation, envelope: Envelope, injected: Fault | None
) -> str | None:
    """Carry out one call (the caller holds the sandbox lock); SoapFault when it fails."""
    now = sandbox.now()
    try:
        key, session = _caller(sandbox, region, operation, envelope, injected)
        if injected is not None and injected.kind in ("invalid_key", "expired_session"):
            raise AuthError("Invalid access key" if injected.kind == "invalid_key" else sandbox.sessions.EXPIRED)
        if injected is not None and injected.kind == "quota":
            raise QuotaExceeded(sandbox.quota.message)
        sandbox.quota.charge(key.domain_id, now)
    except (AuthError, QuotaExceeded) as error:
        raise server_fault(str(error)) from error
    call = Call(sandbox, region, envelope, key, session, operation.values(envelope), now)
    return operation.handler(call)
