"""Names the sandbox's seeded bank data is drawn from: Benelux customers, suppliers, staff, shops."""

from __future__ import annotations

ORGANIZATION_NAME = "Sandbox Studio BV"

CUSTOMERS = (
    "Brouwerij De Kroon BV",
    "Atelier Lumière SRL",
    "Van Damme & Zonen NV",
    "Logistiek Vlaanderen BV",
    "Boulangerie Dupont SRL",
    "Studio Noord BV",
    "Hollands Glorie B.V.",
    "Dijkstra Installatietechniek B.V.",
    "Moselle Consulting S.à r.l.",
    "Garage Claes NV",
    "Les Jardins de Namur SRL",
    "Architectenbureau Wouters BV",
    "Tandartspraktijk Smet",
    "Fiduciaire Lambert SRL",
    "Kinderopvang Het Nestje VZW",
    "Hotel Ter Duinen NV",
    "Bakkerij Verhoeven B.V.",
    "Imprimerie Leclercq SA",
    "Schrijnwerkerij Goossens BV",
    "Cabinet Médical Renard",
    "Transports Muller S.A.",
    "Drukkerij De Vos BV",
)

SUPPLIERS = (
    "Lyreco Belgium NV",
    "Bureau Plus BV",
    "Drukkerij Peeters BV",
    "bpost NV",
    "Vanden Borre Business NV",
    "Coolblue België NV",
    "Office Depot International BV",
    "Manutan NV",
    "Staples Solutions BV",
    "Koffie Kàn NV",
    "Accountantskantoor Mertens BV",
    "Schoonmaak Service Vlaanderen BV",
)

EMPLOYEES = ("Sofie Janssens", "Thomas Peeters", "Lotte Maes", "Karim El Amrani")
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

LANDLORD = "Immo Zuidpark NV"

# (creditor, monthly amount in cents, day of the month, creditor identifier)
SUBSCRIPTIONS = (
    ("Proximus NV", 8999, 5, "BE69ZZZ0202239951"),
    ("Telenet BV", 6450, 8, "BE47ZZZ0473416418"),
    ("Microsoft Ireland Operations Ltd", 12640, 12, "IE12ZZZ300251"),
    ("Securex VZW", 31200, 15, "BE28ZZZ0409057361"),
    ("Ethias NV", 14520, 18, "BE55ZZZ0404484654"),
    ("Adobe Systems Software Ireland Ltd", 7139, 21, "IE67ZZZ353217"),
)

MERCHANTS = (
    "COLRUYT HALLE",
    "DELHAIZE LEUVEN",
    "SHELL MECHELEN",
    "TOTALENERGIES GENT",
    "NMBS/SNCB BRUSSEL",
    "Q8 ANTWERPEN",
    "BOL.COM",
    "BRASSERIE LE CENTRAL",
    "EXKI BRUXELLES",
    "HUBO WAVRE",
    "IKEA ZAVENTEM",
    "CARREFOUR MARKET",
    "ALDI DIEST",
    "STIB-MIVB",
    "PARKING INTERPARKING",
)

TAX_OFFICE = "FOD Financiën - BTW"
BANK_FEE_TEXT = "Beheerskosten zichtrekening"
