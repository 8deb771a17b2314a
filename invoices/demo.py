"""Demo billing data for the demo organisation: clients, invoices in every state, payments."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import Organization
from invoices import services
from invoices.models import BillingProfile, Client, Invoice, Product
from invoices.reminders import mark_overdue_invoices
from invoices.services import Line

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


@transaction.atomic
def seed_billing(organization: Organization) -> int:
    """Create the demo billing data once; returns the number of invoices created."""
    if Invoice.all_objects.filter(organization=organization).exists():
        return 0
    _profile(organization)
    _products(organization)
    clients = [_client(organization, row) for row in CLIENTS]
    today = timezone.localdate()
    created = 0
    for month_back in range(6, -1, -1):
        for n, client in enumerate(clients):
            issue_date = today - datetime.timedelta(days=30 * month_back + 3 * n)
            invoice = services.create_invoice(
                organization=organization, client=client, lines=LINES[n], issue_date=issue_date
            )
            created += 1
            if month_back == 0 and n == 4:
                continue  # this month's last invoice stays a draft
            invoice = services.send_invoice(invoice, email=False)
            if month_back >= 2 and n != 3:
                services.record_payment(
                    organization=organization,
                    client=client,
                    invoice=invoice,
                    amount=invoice.balance_due,
                    date=invoice.due_date - datetime.timedelta(days=n),
                    currency=invoice.currency,
                    reference=invoice.formatted_reference,
                )
            elif month_back == 1:
                half = (invoice.total / 2).quantize(D("0.01"))
                services.record_payment(
                    organization=organization,
                    client=client,
                    invoice=invoice,
                    amount=half,
                    date=issue_date + datetime.timedelta(days=10),
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
    return created
