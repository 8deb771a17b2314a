"""Contacts: the Ponto demo's customers and suppliers, plus generated Benelux companies and people.

Every contact gets a code, a plausible address in its country, and for companies a VAT and
company number with valid check digits (Belgian enterprise numbers modulo 97).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from sandboxes.yuki.ids import GuidSpace
from sandboxes.yuki.records import Contact

CITIES = {
    "BE": (
        ("1000", "Brussel"),
        ("2000", "Antwerpen"),
        ("9000", "Gent"),
        ("3000", "Leuven"),
        ("8000", "Brugge"),
        ("2800", "Mechelen"),
        ("3500", "Hasselt"),
        ("4000", "Liège"),
        ("5000", "Namur"),
        ("1300", "Wavre"),
        ("8500", "Kortrijk"),
        ("9300", "Aalst"),
    ),
    "NL": (
        ("1012 AB", "Amsterdam"),
        ("3011 AD", "Rotterdam"),
        ("3511 AX", "Utrecht"),
        ("2511 CS", "Den Haag"),
        ("5611 AZ", "Eindhoven"),
        ("9711 LM", "Groningen"),
        ("4811 XJ", "Breda"),
    ),
    "LU": (("L-1111", "Luxembourg"), ("L-4002", "Esch-sur-Alzette"), ("L-9201", "Diekirch")),
}
STREETS = {
    "BE": ("Kerkstraat", "Stationsstraat", "Rue de la Gare", "Dorpsstraat", "Industrieweg", "Avenue Louise"),
    "NL": ("Hoofdstraat", "Kerkweg", "Stationsplein", "Marktplein", "Parallelweg", "Havenstraat"),
    "LU": ("Rue du Fort", "Avenue de la Liberté", "Route d'Arlon"),
}
TRADES = {
    "BE": ("Bakkerij", "Garage", "Brasserie", "Atelier", "Drukkerij", "Bouwbedrijf", "Kapsalon", "Apotheek"),
    "NL": ("Bakkerij", "Installatiebedrijf", "Eetcafé", "Drukkerij", "Bouwbedrijf", "Fietsenwinkel", "Bloemisterij"),
}
SURNAMES = {
    "BE": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Dubois", "Lambert", "Dupont"),
    "NL": ("de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"),
}
FIRST_NAMES = ("Anna", "Bram", "Charlotte", "Daan", "Elise", "Lucas", "Marie", "Noah", "Sara", "Tom")
FORMS = {"BE": ("BV", "NV", "SRL", "CommV"), "NL": ("B.V.", "V.O.F.", "B.V.")}
TLD = {"BE": "be", "NL": "nl", "LU": "lu"}


def country_of(name: str) -> str:
    if name.endswith("B.V."):
        return "NL"
    if name.endswith(("S.à r.l.", "S.A.")):
        return "LU"
    return "BE"


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"\b(BV|NV|SRL|SA|VZW|CommV|B\.V\.|S\.A\.|S\.a r\.l\.|V\.O\.F\.)$", "", ascii_name.strip())
    return re.sub(r"[^a-z0-9]+", "", words.lower()) or "contact"


@dataclass(frozen=True, slots=True)
class Registration:
    vat_number: str
    coc_number: str


def registration(country: str, rng: Random) -> Registration:
    """A VAT number and company number with valid check digits for the country."""
    if country == "BE":
        first = f"0{rng.randrange(2_000_000, 9_999_999):07d}"
        number = f"{first}{97 - int(first) % 97:02d}"
        return Registration(f"BE{number}", f"{number[:4]}.{number[4:7]}.{number[7:]}")
    if country == "NL":
        while True:
            digits = [rng.randrange(10) for _ in range(8)]
            check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
            if check < 10:
                break
        return Registration(f"NL{''.join(map(str, digits))}{check}B01", f"{rng.randrange(10**7, 10**8)}")
    return Registration(f"LU{rng.randrange(10**7, 10**8)}", f"B{rng.randrange(10**5, 10**6)}")


@dataclass
class ContactMaker:
    """Makes a domain's contacts: numbered HIDs, codes per kind, timestamps before `now`."""

    rng: Random
    ids: GuidSpace
    now: datetime
    books_start: datetime
    contacts: list[Contact]

    def make(
        self,
        name: str,
        *,
        code: str,
        customer: bool,
        supplier: bool,
        iban: str = "",
        person: bool = False,
        country: str | None = None,
    ) -> Contact:
        rng = self.rng
        land = country or country_of(name)
        postcode, city = rng.choice(CITIES[land])
        registered = None if person else registration(land, rng)
        created = self.books_start - timedelta(days=rng.randrange(30, 1500), seconds=rng.randrange(86_400))
        span = max(1, int((self.now - created).total_seconds()))
        modified = created + timedelta(seconds=rng.randrange(span)) if rng.random() < 0.6 else created
        web = slug(name)
        contact = Contact(
            id=self.ids.guid(len(self.contacts) + 1),
            hid=len(self.contacts) + 1,
            code=code,
            name=name,
            type="Person" if person else "Company",
            address_line=f"{rng.choice(STREETS[land])} {rng.randrange(1, 180)}",
            postcode=postcode,
            city=city,
            country=land,
            vat_number=registered.vat_number if registered else "",
            coc_number=registered.coc_number if registered else "",
            email=f"{web}@mail.{TLD[land]}" if person else f"info@{web}.{TLD[land]}",
            phone=f"+{32 if land == 'BE' else 31 if land == 'NL' else 352} {rng.randrange(10**7, 10**8)}",
            website="" if person else f"www.{web}.{TLD[land]}",
            iban=iban,
            is_customer=customer,
            is_supplier=supplier,
            created=created,
            modified=modified,
            tags=", ".join(tag for tag, on in (("Klant", customer), ("Leverancier", supplier)) if on),
            active=rng.random() > 0.08,
        )
        self.contacts.append(contact)
        return contact

    def fill(self, total: int, country: str, next_code: Callable[[], str]) -> None:
        """Generated companies and people until the domain has `total` contacts."""
        rng = self.rng
        taken = {contact.name for contact in self.contacts}
        trades, surnames, forms = TRADES[country], SURNAMES[country], FORMS[country]
        while len(self.contacts) < total:
            person = rng.random() < 0.15
            if person:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(surnames)}"
            else:
                name = f"{rng.choice(trades)} {rng.choice(surnames)} {rng.choice(forms)}"
            if name in taken:
                name = f"{name} {len(self.contacts)}"
            taken.add(name)
            draw = rng.random()
            self.make(
                name,
                code=next_code(),
                customer=draw < 0.7,
                supplier=draw >= 0.6,
                person=person,
                country=country,
            )
