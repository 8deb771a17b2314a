"""GL account schemes and VAT codes per country, and the roles the seeded bookings use.

Codes follow the usual local schemes: the Belgian MAR/PCMN (bank 550000, cash 570000) and a
compact Dutch one (bank 11001). `type` is 2 for balance-sheet and 1 for P&L accounts and
`subtype` is 0 throughout: what Yuki means by them is not documented [U].
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sandboxes.yuki.records import GLAccount, VatCode

_BALANCE, _RESULT = 2, 1


@dataclass(frozen=True, slots=True)
class Chart:
    country: str
    accounts: tuple[GLAccount, ...]
    roles: dict[str, str]  # role → code
    vat_codes: tuple[VatCode, ...]
    banks: tuple[str, ...]  # codes of the bank accounts, main account first

    def code(self, role: str) -> str:
        return self.roles[role]

    def account(self, code: str) -> GLAccount | None:
        return next((account for account in self.accounts if account.code == code), None)

    def vat(self, percentage: Decimal, vat_type: int) -> VatCode | None:
        return next((c for c in self.vat_codes if c.percentage == percentage and c.type == vat_type), None)

    def vat_rate(self, percentage: int) -> VatCode:
        return next(c for c in self.vat_codes if c.percentage == percentage and c.type in (1, 2, 3, 21))


def _accounts(rows: tuple[tuple[str, str, str], ...]) -> tuple[GLAccount, ...]:
    return tuple(GLAccount(code, text, kind, _BALANCE if kind == "B" else _RESULT) for code, text, kind in rows)


BELGIUM = Chart(
    country="BE",
    accounts=_accounts(
        (
            ("100000", "Geplaatst kapitaal", "B"),
            ("140000", "Overgedragen winst (verlies)", "B"),
            ("400000", "Handelsdebiteuren", "B"),
            ("411000", "Terug te vorderen btw", "B"),
            ("440000", "Leveranciers", "B"),
            ("451000", "Te betalen btw", "B"),
            ("455000", "Bezoldigingen", "B"),
            ("489000", "Rekening-courant zaakvoerder", "B"),
            ("499000", "Wachtrekening", "B"),
            ("550000", "Bank", "B"),
            ("551000", "Spaarrekening", "B"),
            ("552000", "Zichtrekening 2", "B"),
            ("553000", "Zichtrekening 3", "B"),
            ("570000", "Kas", "B"),
            ("580000", "Interne overboekingen", "B"),
            ("604000", "Aankopen handelsgoederen", "W"),
            ("610000", "Huur kantoor", "W"),
            ("611000", "Onderhoud en schoonmaak", "W"),
            ("612000", "Kantoorbenodigdheden", "W"),
            ("612300", "Telefoon en internet", "W"),
            ("612400", "Software en abonnementen", "W"),
            ("613000", "Verzekeringen", "W"),
            ("613200", "Reis- en verplaatsingskosten", "W"),
            ("614000", "Sociaal secretariaat", "W"),
            ("615000", "Erelonen", "W"),
            ("616000", "Representatiekosten", "W"),
            ("620000", "Bezoldigingen bedienden", "W"),
            ("657000", "Bankkosten", "W"),
            ("700000", "Omzet", "W"),
            ("701000", "Huuropbrengsten", "W"),
            ("751000", "Intresten", "W"),
        )
    ),
    roles={
        "capital": "100000",
        "retained": "140000",
        "debtors": "400000",
        "vat_receivable": "411000",
        "creditors": "440000",
        "vat_payable": "451000",
        "salaries_payable": "455000",
        "owner": "489000",
        "suspense": "499000",
        "cash": "570000",
        "transfers": "580000",
        "goods": "604000",
        "rent": "610000",
        "cleaning": "611000",
        "office": "612000",
        "telecom": "612300",
        "software": "612400",
        "insurance": "613000",
        "travel": "613200",
        "payroll": "614000",
        "fees": "615000",
        "representation": "616000",
        "salaries": "620000",
        "bank_costs": "657000",
        "revenue": "700000",
        "rental_income": "701000",
        "interest": "751000",
    },
    vat_codes=(
        VatCode(Decimal(21), 1, "BTW 21%"),
        VatCode(Decimal(6), 2, "BTW 6%"),
        VatCode(Decimal(12), 21, "BTW 12%"),
        VatCode(Decimal(0), 3, "BTW 0%"),
        VatCode(Decimal(0), 17, "BTW verlegd, verkopen"),
    ),
    banks=("550000", "551000", "552000", "553000"),
)

NETHERLANDS = Chart(
    country="NL",
    accounts=_accounts(
        (
            ("05000", "Aandelenkapitaal", "B"),
            ("05900", "Onverdeelde winst", "B"),
            ("10000", "Kas", "B"),
            ("11001", "Bank", "B"),
            ("11002", "Spaarrekening", "B"),
            ("11003", "Bank 2", "B"),
            ("11004", "Bank 3", "B"),
            ("13000", "Debiteuren", "B"),
            ("16000", "Crediteuren", "B"),
            ("18100", "Te betalen btw", "B"),
            ("18200", "Te vorderen btw", "B"),
            ("18500", "Te betalen lonen", "B"),
            ("19000", "Rekening-courant directie", "B"),
            ("19900", "Tussenrekening", "B"),
            ("19950", "Kruisposten", "B"),
            ("40000", "Lonen en salarissen", "W"),
            ("41000", "Huur", "W"),
            ("41500", "Schoonmaakkosten", "W"),
            ("42000", "Kantoorkosten", "W"),
            ("42100", "Telefoon en internet", "W"),
            ("42200", "Software en abonnementen", "W"),
            ("42300", "Verzekeringen", "W"),
            ("42400", "Reiskosten", "W"),
            ("42500", "Salarisadministratie", "W"),
            ("42600", "Advieskosten", "W"),
            ("42700", "Representatiekosten", "W"),
            ("46000", "Bankkosten", "W"),
            ("70000", "Inkoopwaarde omzet", "W"),
            ("80000", "Omzet", "W"),
            ("80100", "Huuropbrengsten", "W"),
            ("90000", "Rentebaten", "W"),
        )
    ),
    roles={
        "capital": "05000",
        "retained": "05900",
        "cash": "10000",
        "debtors": "13000",
        "creditors": "16000",
        "vat_payable": "18100",
        "vat_receivable": "18200",
        "salaries_payable": "18500",
        "owner": "19000",
        "suspense": "19900",
        "transfers": "19950",
        "salaries": "40000",
        "rent": "41000",
        "cleaning": "41500",
        "office": "42000",
        "telecom": "42100",
        "software": "42200",
        "insurance": "42300",
        "travel": "42400",
        "payroll": "42500",
        "fees": "42600",
        "representation": "42700",
        "bank_costs": "46000",
        "goods": "70000",
        "revenue": "80000",
        "rental_income": "80100",
        "interest": "90000",
    },
    vat_codes=(
        VatCode(Decimal(21), 1, "BTW hoog"),
        VatCode(Decimal(9), 2, "BTW laag"),
        VatCode(Decimal(0), 3, "BTW 0%"),
        VatCode(Decimal(0), 17, "BTW verlegd"),
    ),
    banks=("11001", "11002", "11003", "11004"),
)

CHARTS = {"BE": BELGIUM, "NL": NETHERLANDS}
