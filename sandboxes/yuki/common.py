"""Web methods every service has: Authenticate, Administrations, AdministrationID and the domain calls."""

from __future__ import annotations

from sandboxes.yuki.formats import flag, xml_date
from sandboxes.yuki.markup import attr, el, els, esc
from sandboxes.yuki.operations import Call, Operation, Param
from sandboxes.yuki.soap import server_fault


def authenticate(call: Call) -> str:
    """`AuthenticateResult`: a new session GUID (the key was checked before the call was counted)."""
    return call.sandbox.sessions.open(call.key, call.now).id


def administrations(call: Call) -> str:
    rows = []
    for admin in call.reachable():
        fields = els(
            (
                ("Name", admin.name),
                ("AddressLine", admin.address_line),
                ("Postcode", admin.postcode),
                ("City", admin.city),
                ("Country", admin.country),
                ("CoCNumber", admin.coc_number),
                ("VATNumber", admin.vat_number),
                ("StartDate", xml_date(admin.start_date)),
                ("DomainID", admin.domain_id),
                ("Active", flag(admin.active)),
            )
        )
        rows.append(f'<Administration ID="{attr(admin.id)}">{fields}</Administration>')
    return f'<Administrations xmlns="">{"".join(rows)}</Administrations>'


def administration_id(call: Call) -> str:
    wanted = call.string("administrationName").strip().lower()
    found = next((admin for admin in call.reachable() if admin.name.lower() == wanted), None)
    if found is None:
        raise server_fault(f"Administration '{call.string('administrationName')}' not found")
    return esc(found.id)


def _domains(call: Call, *, url: bool) -> str:
    domain = call.sandbox.domain(call.session.current_domain if call.session else call.key.domain_id)
    fields = el("Name", domain.name) + (el("URL", domain.url) if url else "")
    return f'<Domains xmlns=""><Domain ID="{attr(domain.id)}">{fields}</Domain></Domains>'


def domains(call: Call) -> str:
    return _domains(call, url=True)


def current_domain(call: Call) -> str:
    return _domains(call, url=False)


def set_current_domain(call: Call) -> None:
    domain = call.domain("domainID")
    if call.session is not None:
        call.session.current_domain = domain.id


OPERATIONS = (
    Operation("Authenticate", authenticate, (Param("accessKey"),), session=None),
    Operation("Administrations", administrations),
    Operation("AdministrationID", administration_id, (Param("administrationName"),)),
    Operation("Domains", domains),
    Operation("GetCurrentDomain", current_domain),
    Operation("SetCurrentDomain", set_current_domain, (Param("domainID"),)),
)
