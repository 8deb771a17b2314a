"""Contact.asmx: SearchContacts and GetSuppliersAndCustomers, 100 contacts a page.

Contacts belong to the domain (`domainID`), not to an administration. Quirks kept: `EMailWork`
(not `EmailWork` as on open items), US-locale `Created`/`Modified` (`4/10/2019 3:50:52 PM`) and
.NET booleans `True`/`False` for `IsSupplier`/`IsCustomer`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandboxes.yuki.formats import flag, local, us_timestamp
from sandboxes.yuki.markup import attr, els
from sandboxes.yuki.operations import Call, Operation, Param, choice
from sandboxes.yuki.records import Contact

PAGE_SIZE = 100
SEARCH_OPTIONS = (
    "All",
    "Name",
    "City",
    "Postcode",
    "Tag",
    "Email",
    "Website",
    "Phone",
    "Code",
    "CoCNumber",
    "VATNumber",
    "BankAccount",
    "ID",
    "ContactType",
    "HID",
)
SORT_ORDERS = ("Name", "LastName", "CreatedAsc", "CreatedDesc", "ModifiedAsc", "ModifiedDesc", "HID")
ACTIVE = ("Both", "Active", "Inactive")
CONTACT_TYPES = ("Customer", "Supplier", "Both", "None")
_COMPACT = re.compile(r"[\s.\-]")

_FIELDS: dict[str, Callable[[Contact], str]] = {
    "Name": lambda c: c.name,
    "City": lambda c: c.city,
    "Postcode": lambda c: c.postcode,
    "Tag": lambda c: c.tags,
    "Email": lambda c: c.email,
    "Website": lambda c: c.website,
    "Phone": lambda c: c.phone,
    "CoCNumber": lambda c: _COMPACT.sub("", c.coc_number),
    "VATNumber": lambda c: _COMPACT.sub("", c.vat_number),
    "BankAccount": lambda c: c.iban,
}
_EXACT: dict[str, Callable[[Contact], str]] = {
    "Code": lambda c: c.code,
    "ID": lambda c: c.id,
    "ContactType": lambda c: c.type,
    "HID": lambda c: str(c.hid),
}
_SORTS: dict[str, tuple[Callable[[Contact], Any], bool]] = {
    "Name": (lambda c: (c.name.strip().lower(), c.hid), False),
    "LastName": (lambda c: (c.name.split()[-1].lower() if c.name.split() else "", c.hid), False),
    "CreatedAsc": (lambda c: (c.created, c.hid), False),
    "CreatedDesc": (lambda c: (c.created, c.hid), True),
    "ModifiedAsc": (lambda c: (c.modified, c.hid), False),
    "ModifiedDesc": (lambda c: (c.modified, c.hid), True),
    "HID": (lambda c: c.hid, False),
}


def _matches(contact: Contact, option: str, value: str) -> bool:
    if not value:
        return True
    if option in _EXACT:
        return _EXACT[option](contact).lower() == value.lower()
    wanted = _COMPACT.sub("", value).lower() if option in ("CoCNumber", "VATNumber") else value.lower()
    fields = _FIELDS.values() if option == "All" else [_FIELDS[option]]
    return any(wanted in read(contact).lower() for read in fields) or (option == "All" and contact.code == value)


def _page(call: Call, extra: Callable[[Contact], bool] = lambda contact: True) -> list[Contact]:
    domain = call.domain("domainID")
    option, value = call.string("searchOption"), call.string("searchValue").strip()
    after, active = call.moment("modifiedAfter"), call.string("active")
    found = [
        contact
        for contact in domain.contacts
        if _matches(contact, option, value)
        and local(contact.modified) > after
        and (active == "Both" or contact.active == (active == "Active"))
        and extra(contact)
    ]
    key, descending = _SORTS[call.string("sortOrder")]
    found.sort(key=key, reverse=descending)
    page = max(1, call.integer("pageNumber"))
    return found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


def search_contacts(call: Call) -> str:
    rows = []
    for c in _page(call):
        fields = els(
            (
                ("Type", c.type),
                ("HID", str(c.hid)),
                ("Code", c.code),
                ("Name", c.name),
                ("AddressLine_1", c.address_line),
                ("AddressLine_2", None),
                ("Postcode", c.postcode),
                ("City", c.city),
                ("MailAddressLine_1", c.address_line),
                ("MailAddressLine_2", None),
                ("MailPostcode", c.postcode),
                ("MailCity", c.city),
                ("Country", c.country),
                ("PhoneHome", c.phone),
                ("EMailWork", c.email),
                ("Website", c.website),
                ("VATNumber", c.vat_number),
                ("CoCNumber", c.coc_number),
                ("IncomeTaxNumber", None),
                ("Created", us_timestamp(c.created)),
                ("Modified", us_timestamp(c.modified)),
                ("MainContactPerson", None),
                ("Tags", c.tags),
                ("BackofficeStatus", "Actief" if c.active else "Inactief"),
            )
        )
        rows.append(f'<Contact ID="{attr(c.id)}">{fields}</Contact>')
    return f'<Contacts xmlns="">{"".join(rows)}</Contacts>'


def suppliers_and_customers(call: Call) -> str:
    kind = call.string("contactType")
    wanted: dict[str, Callable[[Contact], bool]] = {
        "Customer": lambda c: c.is_customer,
        "Supplier": lambda c: c.is_supplier,
        "Both": lambda c: c.is_customer or c.is_supplier,
        "None": lambda c: not (c.is_customer or c.is_supplier),
    }
    rows = []
    for c in _page(call, wanted[kind]):
        fields = els(
            (
                ("Type", c.type),
                ("HID", str(c.hid)),
                ("Code", c.code),
                ("Name", c.name),
                ("AddressLine_1", c.address_line),
                ("AddressLine_2", None),
                ("Postcode", c.postcode),
                ("City", c.city),
                ("Country", c.country),
                ("Created", us_timestamp(c.created)),
                ("Modified", us_timestamp(c.modified)),
                ("IsSupplier", flag(c.is_supplier, dotnet=True)),
                ("IsCustomer", flag(c.is_customer, dotnet=True)),
                ("Tags", c.tags),
                ("BackofficeStatus", "Actief" if c.active else "Inactief"),
            )
        )
        rows.append(f'<Contact ID="{attr(c.id)}">{fields}</Contact>')
    return f'<Contacts xmlns="">{"".join(rows)}</Contacts>'


SEARCH = (
    Param("domainID"),
    choice("searchOption", "SearchOption", *SEARCH_OPTIONS),
    Param("searchValue", required=False),
    choice("sortOrder", "ContactSortOrder", *SORT_ORDERS),
    Param("modifiedAfter", "datetime"),
    choice("active", "ActiveFilter", *ACTIVE),
    Param("pageNumber", "int"),
)
OPERATIONS = (
    Operation("SearchContacts", search_contacts, SEARCH),
    Operation(
        "GetSuppliersAndCustomers",
        suppliers_and_customers,
        (*SEARCH, choice("contactType", "ContactType", *CONTACT_TYPES)),
    ),
)
