"""Web methods: their parameters (exact names and casing), how values are read, and one call's context.

Parameter values are read the way the ASMX serializer reads them: a bad boolean, number, date or
enum value is a `soap:Client` fault; a missing required one is a server fault (`Value cannot be
null`), as the checklist of the reference asks (§7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from sandboxes.yuki.access import AccessKey, Session
from sandboxes.yuki.formats import end_of, parse_boolean, parse_int, parse_moment
from sandboxes.yuki.records import Administration, Domain
from sandboxes.yuki.soap import Envelope, read_fault, server_fault

if TYPE_CHECKING:
    from sandboxes.yuki.state import YukiSandbox

NO_ADMINISTRATION = "Administration not found, or this access key has no rights on it"
NO_DOMAIN = "Domain not found, or this access key has no rights on it"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str = "string"  # string | boolean | int | datetime | xml
    choices: tuple[str, ...] = ()
    enum: str = ""  # the .NET enum's name, for the fault text
    required: bool = True


def choice(name: str, enum: str, *choices: str) -> Param:
    return Param(name, "enum", choices, enum)


def read(param: Param, envelope: Envelope) -> object:
    element = envelope.child(param.name)
    if element is None:
        if param.required:
            raise server_fault(f"Value cannot be null. Parameter name: {param.name}")
        return None
    if param.kind == "xml":
        return element
    text = element.text or ""
    try:
        if param.kind == "boolean":
            return parse_boolean(text)
        if param.kind == "int":
            return parse_int(text)
        if param.kind == "datetime":
            return parse_moment(text)
    except ValueError as error:
        raise read_fault(str(error)) from error
    if param.kind == "enum" and text.strip() not in param.choices:
        raise read_fault(f"Instance validation error: '{text}' is not a valid value for {param.enum}.")
    return text.strip() if param.kind == "enum" else text


@dataclass
class Call:
    """One web-method call: the sandbox, the caller's key and session, and the parameter values."""

    sandbox: YukiSandbox
    region: str
    envelope: Envelope
    key: AccessKey
    session: Session | None
    values: dict[str, object]
    now: datetime

    def string(self, name: str) -> str:
        value = self.values.get(name)
        return value if isinstance(value, str) else ""

    def flag(self, name: str) -> bool:
        return self.values.get(name) is True

    def integer(self, name: str) -> int:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def moment(self, name: str, *, end: bool = False) -> datetime:
        """A naive Amsterdam time; an end bound given as a bare date covers that whole day."""
        value = self.values.get(name)
        if not isinstance(value, datetime):
            raise server_fault(f"Value cannot be null. Parameter name: {name}")
        return end_of(self.envelope.text(name) or "", value) if end else value

    def xml(self, name: str) -> Element:
        value = self.values.get(name)
        if not isinstance(value, Element):
            raise server_fault(f"Value cannot be null. Parameter name: {name}")
        return value

    def administration(self, name: str = "administrationID") -> Administration:
        wanted = self.string(name).strip().lower()
        admin = self.sandbox.administrations.get(wanted)
        domain = self.sandbox.domain(self.key.domain_id)
        if admin is None or not self.key.reaches(admin.id, [a.id for a in domain.administrations]):
            raise server_fault(NO_ADMINISTRATION)
        return admin

    def domain(self, name: str = "domainID") -> Domain:
        wanted = self.string(name).strip().lower()
        if wanted != self.key.domain_id:
            raise server_fault(NO_DOMAIN)
        return self.sandbox.domain(wanted)

    def reachable(self) -> list[Administration]:
        """The administrations this key reaches, by name."""
        domain = self.sandbox.domain(self.key.domain_id)
        found = [a for a in domain.administrations if self.key.reaches(a.id, [a.id for a in domain.administrations])]
        return sorted(found, key=lambda admin: admin.name)


Handler = Callable[[Call], str | None]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    params: tuple[Param, ...] = ()
    session: str | None = "sessionID"  # the session parameter's name; None for Authenticate

    def values(self, envelope: Envelope) -> dict[str, object]:
        return {param.name: read(param, envelope) for param in self.params}
