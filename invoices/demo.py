"""Demo billing data for the demo organisation: clients, invoices in every state, payments.

`demo_invoices(today)` plans the invoices `seed_billing` creates (their numbers, references and
totals included), and `demo_bank_payments(today)` what the demo clients paid into the bank that
the books do not show yet. The Ponto sandbox's demo bank books those payments, so the first
reconciliation after linking it pairs each payment with the invoice it quotes.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import Organization
from invoices import services
from invoices.models import BillingProfile, Client, Invoice, Product, Series
from invoices.references import format_reference, make_reference
from invoices.reminders import mark_overdue_invoices
from invoices.services import Line
from invoices.services.common import document_amounts

D = Decimal

CLIENTS = [
    ("Brasserie Dupont SRL", "BE0412345614", "Rue Haute 12", "1000", "Bruxelles", "BE", "BE71096123456769", 30),
    ("Bakkerij Peeters BV", "BE0987654394", "Meir 44", "2000", "Antwerpen", "BE", "BE68539007547034", 14),
    (
        "Van der Berg Logistiek BV",
        "NL854502130B01",
        "Keizersgracht 101",
        "1015 CJ",
        "Amsterdam",
        "NL",
        "NL91ABNA0417164300",
        30,
    ),
    ("Atelier Lambert", "BE0555666775", "Place Saint-Lambert 3", "4000", "Liège", "BE", "", 21),
    ("Café Central Luxembourg", "LU12345613", "Grand-Rue 8", "1660", "Luxembourg", "LU", "", 30),
]
# Peppol IDs the usual rule (Belgian or Dutch numbers) cannot derive: 9938 is Luxembourg's VAT scheme.
PEPPOL_IDS = {"LU12345613": "9938:LU12345613"}

LINES = [
    [Line("Consulting, March", D("12"), D("95.00"), D("21")), Line("Travel costs", D("1"), D("48.60"), D("21"))],
    [Line("Bread trays, 40 units", D("40"), D("3.75"), D("6")), Line("Delivery", D("1"), D("15.00"), D("21"))],
    # Services to companies elsewhere in the EU: the client accounts for the VAT (reverse charge).
    [Line("Warehouse software licence", D("1"), D("1250.00"), D("0"), "AE")],
    [Line("Workshop, half day", D("1"), D("640.00"), D("21")), Line("Printed materials", D("25"), D("4.20"), D("21"))],
    [
        Line("Espresso machine service", D("2"), D("180.00"), D("0"), "AE"),
        Line("Coffee beans, kg", D("10"), D("22.50"), D("0"), "K"),
    ],
]


# The catalogue the invoice editor fills lines from: (name, line description, price, unit, rate, category).
PRODUCTS = [
    ("Consulting hour", "Consulting", D("95.00"), "hour", D("21"), "S"),
    ("Workshop, half day", "", D("640.00"), "half day", D("21"), "S"),
    ("Bread tray, 40 units", "Bread trays, 40 units", D("3.75"), "tray", D("6"), "S"),
    ("Delivery", "", D("15.00"), "", D("21"), "S"),
    ("Software licence (EU business)", "Warehouse software licence", D("1250.00"), "year", D("0"), "AE"),
]


def _products(organization: Organization) -> None:
    Product.objects.bulk_create(
        Product(
            organization=organization,
            name=name,
            description=description,
            unit_price=price,
            unit=unit,
            vat_rate=rate,
            vat_category=category,
        )
        for name, description, price, unit, rate, category in PRODUCTS
    )


def _profile(organization: Organization) -> None:
    BillingProfile.objects.update_or_create(
        organization=organization,
        defaults={
            "legal_name": f"{organization.name}",
            "address_line1": "Avenue Louise 54",
            "postal_code": "1050",
            "city": "Brussels",
            # The e-invoice sandbox's tenant (0208:0477472701): `make run` sends and receives over Peppol as it.
            "vat_number": "BE0477472701",
            "enterprise_number": "0477472701",
            "iban": "BE62510007547061",
            "bic": "VAPEBE22",
            "email": "billing@demo-trading.example",
        },
    )


def _client(organization: Organization, row: tuple[str, str, str, str, str, str, str, int]) -> Client:
    name, vat, street, postal_code, city, country, iban, terms = row
    client = Client(
        name=name,
        vat_number=vat,
        address_line1=street,
        postal_code=postal_code,
        city=city,
        country=country,
        payment_terms_days=terms,
        email=f"accounts@{name.split()[0].lower()}.example",
        peppol_id=PEPPOL_IDS.get(vat, ""),
    )
    return services.save_client(client, organization=organization, ibans=[iban] if iban else [])


# --- the plan: which invoices, when, and what the books record of their payment ------------------

MONTHS = 7  # this month's invoices and those of the six months before
DRAFT_CLIENT = 4  # this month's last invoice stays a draft
SLOW_PAYER = 3  # Atelier Lambert: its invoices stay unpaid in the books
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoInvoice:
    """One invoice `seed_billing` creates: `sequence` is its place in its year's numbering."""

    client: int  # index into CLIENTS and LINES
    issue_date: datetime.date
    sequence: int
    months_ago: int

    @property
    def year(self) -> int:
        return self.issue_date.year

    @property
    def client_name(self) -> str:
        return CLIENTS[self.client][0]

    @property
    def client_iban(self) -> str:
        return CLIENTS[self.client][6]

    @property
    def due_date(self) -> datetime.date:
        return self.issue_date + datetime.timedelta(days=CLIENTS[self.client][7])

    @property
    def lines(self) -> list[Line]:
        return LINES[self.client]

    @property
    def total(self) -> Decimal:
        return document_amounts(self.lines).total

    @property
    def number(self) -> str:
        """As `next_number` writes it."""
        return f"{Series.INVOICE.value}-{self.year}-{self.sequence:04d}"

    @property
    def reference(self) -> str:
        """The structured reference `create_invoice` gives it (the first of its year's free blocks)."""
        return make_reference(self.year * 1_000_000 + self.sequence)

    @property
    def is_draft(self) -> bool:
        return self.months_ago == 0 and self.client == DRAFT_CLIENT

    @property
    def paid_in_full_on(self) -> datetime.date | None:
        """Invoices of two months ago and older are paid (the slow payer's excepted), a little early."""
        if self.months_ago >= 2 and self.client != SLOW_PAYER:
            return self.due_date - datetime.timedelta(days=self.client)
        return None

    @property
    def half_paid_on(self) -> datetime.date | None:
        """Last month's invoices are half paid, ten days after they were issued."""
        return self.issue_date + datetime.timedelta(days=10) if self.months_ago == 1 else None

    @property
    def first_half(self) -> Decimal:
        return (self.total / 2).quantize(CENT)


def demo_invoices(today: datetime.date) -> list[DemoInvoice]:
    """The demo invoices in the order `seed_billing` creates them, numbered per year as the app numbers them."""
    numbered: Counter[int] = Counter()
    planned = []
    for months_ago in range(MONTHS - 1, -1, -1):
        for client in range(len(CLIENTS)):
            issue_date = today - datetime.timedelta(days=30 * months_ago + 3 * client)
            numbered[issue_date.year] += 1
            planned.append(DemoInvoice(client, issue_date, numbered[issue_date.year], months_ago))
    return planned


# --- the bank: what the clients paid that the books do not show yet ------------------------------

UNKNOWN_PAYER = "Traiteur Vandenbroucke BV"


@dataclass(frozen=True)
class DemoBankPayment:
    """A payment into the demo organisation's bank account; `pays` are the invoices it settles
    (only in part when `instalment`), none for a payer nobody can place."""

    day: datetime.date
    amount: Decimal
    payer: str
    payer_iban: str  # "" when the books do not know the payer's account
    remittance: str
    structured: bool
    pays: tuple[DemoInvoice, ...] = ()
    instalment: bool = False


def bank_payment_records(payments: Iterable[DemoBankPayment]) -> list[dict[str, object]]:
    """The payments as the sandbox bank reads them (sandboxes/ponto/demo.py): plain JSON values."""
    return [
        {
            "day": payment.day.isoformat(),
            "amount": str(payment.amount),
            "payer": payment.payer,
            "payer_iban": payment.payer_iban,
            "remittance": payment.remittance,
            "structured": payment.structured,
        }
        for payment in payments
    ]


def _working_day(day: datetime.date) -> datetime.date:
    """Transfers are booked on working days: a weekend day becomes the Friday before."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _pays_by_reference(invoice: DemoInvoice, amount: Decimal, day: datetime.date) -> DemoBankPayment:
    return DemoBankPayment(
        day=_working_day(day),
        amount=amount,
        payer=invoice.client_name,
        payer_iban=invoice.client_iban,
        remittance=format_reference(invoice.reference),
        structured=True,
        pays=(invoice,),
    )


def demo_bank_payments(today: datetime.date) -> list[DemoBankPayment]:
    """Received by the day before yesterday, each after the invoices it pays: the rest of last
    month's invoices, and the exceptions a person looks at: one transfer for two invoices (one of
    them this month's), an instalment, an invoice number written in words, a payer nobody knows.

    The payments the books already record are not among them: reconciliation does not recognise
    a payment of an invoice already paid, and would offer it to the client's other open invoices."""
    plan = demo_invoices(today)
    last_month = {invoice.client: invoice for invoice in plan if invoice.months_ago == 1}
    this_month = {invoice.client: invoice for invoice in plan if invoice.months_ago == 0}
    overdue = [invoice for invoice in plan if invoice.client == SLOW_PAYER and invoice.paid_in_full_on is None]
    # The sandbox books up to yesterday in UTC: just after midnight, the day before yesterday here.
    latest = today - datetime.timedelta(days=2)

    def rest(invoice: DemoInvoice) -> Decimal:
        return invoice.total - invoice.first_half

    payments = [
        _pays_by_reference(invoice, rest(invoice), min(invoice.due_date, latest))
        for client, invoice in last_month.items()
        if client in (0, 1, 4)
    ]
    # Van der Berg pays last month's rest and this month's invoice in one transfer: a person splits it.
    both = (last_month[2], this_month[2])
    payments.append(
        DemoBankPayment(
            day=_working_day(latest),
            amount=rest(both[0]) + both[1].total,
            payer=both[0].client_name,
            payer_iban=both[0].client_iban,
            remittance=" ".join(format_reference(invoice.reference) for invoice in both),
            structured=False,
            pays=both,
        )
    )
    # The slow payer: an instalment on its oldest invoice, then one invoice paid quoting its number.
    oldest, second = overdue[0], overdue[1]
    instalment = _pays_by_reference(oldest, Decimal("400.00"), today - datetime.timedelta(days=20))
    payments.append(dataclasses.replace(instalment, instalment=True))
    payments.append(
        DemoBankPayment(
            day=_working_day(today - datetime.timedelta(days=8)),
            amount=second.total,
            payer=second.client_name,
            payer_iban=second.client_iban,
            remittance=f"Facture {second.number}",
            structured=False,
            pays=(second,),
        )
    )
    payments.append(
        DemoBankPayment(
            day=_working_day(today - datetime.timedelta(days=4)),
            amount=Decimal("350.00"),
            payer=UNKNOWN_PAYER,
            payer_iban="",
            remittance="Voorschot receptie",
            structured=False,
        )
    )
    return payments


@transaction.atomic
def seed_billing(organization: Organization) -> int:
    """Create the demo billing data once; returns the number of invoices created."""
    if Invoice.all_objects.filter(organization=organization).exists():
        return 0
    _profile(organization)
    _products(organization)
    clients = [_client(organization, row) for row in CLIENTS]
    today = timezone.localdate()
    plan = demo_invoices(today)
    for planned in plan:
        client = clients[planned.client]
        invoice = services.create_invoice(
            organization=organization, client=client, lines=planned.lines, issue_date=planned.issue_date
        )
        if planned.is_draft:
            continue
        invoice = services.send_invoice(invoice, email=False)
        if planned.paid_in_full_on is not None:
            services.record_payment(
                organization=organization,
                client=client,
                invoice=invoice,
                amount=invoice.balance_due,
                date=planned.paid_in_full_on,
                currency=invoice.currency,
                reference=invoice.formatted_reference,
            )
        elif planned.half_paid_on is not None:
            services.record_payment(
                organization=organization,
                client=client,
                invoice=invoice,
                amount=planned.first_half,
                date=planned.half_paid_on,
                currency=invoice.currency,
            )
    first_open = Invoice.objects.filter(organization=organization).open().order_by("issue_date").first()
    if first_open is not None:
        services.issue_credit_note(
            first_open, lines=[Line("Returned goods", D("1"), D("20.00"), D("21"))], issue_date=today, reason="Return"
        )
    mark_overdue_invoices(today)
    services.create_challan(
        organization=organization,
        client=clients[1],
        lines=[Line("Bread trays, 40 units", D("40"), D("0"), D("6"))],
        date=today,
    )
    return len(plan)
