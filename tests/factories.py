"""Shared factories for the whole suite."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import factory
from django.db import models, transaction

from api.keys import create_api_key
from api.models import ApiKey, Scope
from banking.ingest import save_transactions
from banking.models import BankAccount, BankTransaction, Bill, CategoryRule, Evidence, Match, ReceivedDocument
from core.audit import record_event
from core.models import AuditEvent, Invitation, Membership, Organization, Role, User
from integrations.models import Connection, ConnectionStatus, Provider
from invoices import services
from invoices.models import BillingProfile, Challan, Client, CreditNote, Invoice, Payment, Product
from invoices.services import Line
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        from allauth.account.models import EmailAddress

        user.save()
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


def member(organization: Organization, role: Role = Role.OWNER, **user_fields: Any) -> User:
    user = UserFactory.create(**user_fields)
    MembershipFactory.create(user=user, organization=organization, role=role)
    return user


def make_api_key(
    organization: Organization, role: Role = Role.ADMIN, scope: Scope = Scope.WRITE, **fields: Any
) -> tuple[ApiKey, str]:
    """A key (and its token) created by a new member of `organization` with `role`."""
    fields.setdefault("expires_at", None)
    return create_api_key(
        organization, name=fields.pop("name", "Test key"), scope=scope, actor=member(organization, role), **fields
    )


def audit_event_in(organization: Organization) -> AuditEvent:
    return record_event("test.event", organization=organization, after={"value": 1})


def make_invitation(organization: Organization, email: str = "invited@example.com") -> Invitation:
    invitation = Invitation(organization=organization, email=email)
    invitation.issue_token()
    invitation.save()
    return invitation


# --- billing -----------------------------------------------------------------------------


def make_client(organization: Organization, **fields: Any) -> Client:
    defaults: dict[str, Any] = {
        "name": "Brasserie Dupont",
        "email": "accounts@dupont.example",
        "payment_terms_days": 30,
    }
    return Client.objects.create(organization=organization, **{**defaults, **fields})


def make_billing_profile(organization: Organization, **fields: Any) -> BillingProfile:
    """The seller's details a Peppol e-invoice needs: those of the e-invoice sandbox's tenant."""
    defaults: dict[str, Any] = {
        "legal_name": "Smart Invoice Demo BV",
        "address_line1": "Kerkstraat 1",
        "postal_code": "9000",
        "city": "Gent",
        "country": "BE",
        "vat_number": "BE0477472701",
        "enterprise_number": "0477472701",
        "iban": "BE71096123456769",
        "email": "facturen@example.be",
    }
    return BillingProfile.objects.create(organization=organization, **{**defaults, **fields})


def make_lines(*amounts: tuple[str, str, str]) -> list[Line]:
    """Lines from (quantity, unit price, VAT rate) strings."""
    return [Line(f"Line {n}", Decimal(q), Decimal(p), Decimal(r)) for n, (q, p, r) in enumerate(amounts, start=1)]


def make_invoice(
    organization: Organization,
    client: Client | None = None,
    *,
    lines: list[Line] | None = None,
    issue_date: datetime.date | None = None,
    sent: bool = True,
    **fields: Any,
) -> Invoice:
    """An invoice of 2 x 50.00 at 21 % (121.00) unless told otherwise, sent by default."""
    invoice = services.create_invoice(
        organization=organization,
        client=client or make_client(organization),
        lines=lines or make_lines(("2", "50.00", "21")),
        issue_date=issue_date or datetime.date(2026, 3, 2),
        **fields,
    )
    if sent:
        invoice = services.send_invoice(invoice, email=False)
    return invoice


def pay(invoice: Invoice, amount: Decimal | str, on: datetime.date | None = None, **extra: Any) -> Payment:
    """Record a payment on the invoice, dated its due date unless told otherwise."""
    return services.record_payment(
        organization=invoice.organization,
        client=invoice.client,
        invoice=invoice,
        amount=Decimal(amount),
        date=on or invoice.due_date,
        currency=invoice.currency,
        **extra,
    )


def make_payment(organization: Organization) -> Payment:
    invoice = make_invoice(organization)
    return services.record_payment(
        organization=organization,
        client=invoice.client,
        invoice=invoice,
        amount=Decimal("10.00"),
        date=datetime.date(2026, 3, 3),
        currency="EUR",
    )


def make_credit_note(organization: Organization) -> CreditNote:
    invoice = make_invoice(organization)
    return services.issue_credit_note(invoice, lines=make_lines(("1", "10.00", "21")), issue_date=invoice.issue_date)


def make_challan(organization: Organization) -> Challan:
    return services.create_challan(
        organization=organization,
        client=make_client(organization),
        lines=make_lines(("3", "0", "21")),
        date=datetime.date(2026, 3, 1),
    )


def make_product(organization: Organization, **fields: Any) -> Product:
    defaults: dict[str, Any] = {"name": "Consulting hour", "unit_price": Decimal("95.00"), "unit": "hour"}
    return Product.objects.create(organization=organization, **{**defaults, **fields})


def make_connection(organization: Organization, **fields: Any) -> Connection:
    defaults: dict[str, Any] = {
        "provider": Provider.PONTO,
        "status": ConnectionStatus.ACTIVE,
        "display_name": "Ponto · Test",
    }
    return Connection.objects.create(organization=organization, **{**defaults, **fields})


def belgian_iban(account_number: int) -> str:
    """A valid Belgian IBAN (ISO 13616 check digits) around a 10-digit account number."""
    bban = f"{account_number:010d}{account_number % 97 or 97:02d}"
    check = 98 - int(f"{bban}111400") % 97
    return f"BE{check:02d}{bban}"


def make_bank_account(
    organization: Organization, balance: Decimal | str = "0.00", *, on: datetime.date | None = None, **fields: Any
) -> BankAccount:
    """A bank account (on a new Ponto connection unless given one) with `balance` reported at the
    end of `on`, and an IBAN of its own unless given one."""
    connection = fields.pop("connection", None) or make_connection(organization)
    moment = None if on is None else datetime.datetime.combine(on, datetime.time(20, 0), tzinfo=datetime.UTC)
    number = BankAccount.objects.count() + 1
    defaults: dict[str, Any] = {"currency": "EUR", "name": "Current account", "iban": belgian_iban(539007547 + number)}
    return BankAccount.objects.create(
        organization=organization,
        connection=connection,
        external_id=f"acc-{number}",
        current_balance=Decimal(balance),
        current_balance_date=moment,
        **{**defaults, **fields},
    )


def add_transactions(account: BankAccount, *rows: tuple[datetime.date, str], **fields: Any) -> list[BankTransaction]:
    """Booked transactions (day, amount) on the account, written the way a sync writes them
    (rollups and the data version follow; categories follow the pipeline after a sync)."""
    created = [
        BankTransaction(
            organization_id=account.organization_id,
            connection_id=account.connection_id,
            account=account,
            external_id=f"tx-{account.pk}-{BankTransaction.objects.count()}-{n}",
            execution_date=day,
            value_date=day,
            amount=Decimal(amount),
            currency=account.currency,
            **fields,
        )
        for n, (day, amount) in enumerate(rows)
    ]
    with transaction.atomic():
        save_transactions(account.organization_id, created, [], [])
    return created


def make_match(organization: Organization) -> Match:
    """A suggested reconciliation match: an incoming transfer from a client's IBAN, one candidate."""
    iban = "BE71096123456769"
    client = make_client(organization, name="Matched Client")
    client.bank_accounts.create(organization=organization, iban=iban)
    invoice = make_invoice(organization, client)
    account = make_bank_account(organization)
    (row,) = add_transactions(account, (datetime.date(2026, 3, 10), "50.00"), counterpart_iban=iban)
    match = Match.objects.create(organization=organization, transaction=row, evidence=Evidence.CLIENT_IBAN)
    match.candidates.add(invoice)
    return match


# One way to make an object owned by a given organisation, for every model that a URL takes
# the id of. The tenancy test walks the URL patterns and fails for a model missing here.
# Where a route works on soft-deleted documents only (restore), the route's name says so.
def make_received_document(organization: Organization) -> ReceivedDocument:
    """A supplier's invoice as received over Peppol (its XML and PDF reduced to placeholders)."""
    return ReceivedDocument.objects.create(
        organization=organization,
        document_id=f"doc_{organization.pk}",
        document_type="INVOICE",
        number="DP-2026-0117",
        issue_date=datetime.date(2026, 3, 2),
        currency="EUR",
        supplier_name="Drukkerij Peeters BV",
        receiver_endpoint="0208:0477472701",
        payable_amount=Decimal("537.00"),
        xml=b"<Invoice/>",
        pdf=b"%PDF-1.4",
    )


TENANT_OBJECT_FACTORIES: dict[type[models.Model], Callable[[Organization], Any]] = {
    Membership: lambda organization: MembershipFactory.create(organization=organization, role=Role.VIEWER),
    ApiKey: lambda organization: make_api_key(organization)[0],
    AuditEvent: audit_event_in,
    Invitation: lambda organization: make_invitation(organization),
    Client: make_client,
    Invoice: lambda organization: make_invoice(organization, sent=False),
    Payment: make_payment,
    CreditNote: make_credit_note,
    Challan: make_challan,
    Product: make_product,
    Connection: make_connection,
    BankAccount: make_bank_account,
    Match: make_match,
    ReceivedDocument: make_received_document,
    BankTransaction: lambda organization: add_transactions(
        make_bank_account(organization), (datetime.date(2026, 3, 2), "-42.50"), counterpart_name="Proximus"
    )[0],
    CategoryRule: lambda organization: CategoryRule.objects.create(
        organization=organization, category="Rent", field="counterpart_name", value="landlord"
    ),
}
# Routes that want a particular kind of their model's objects.
ROUTE_OBJECT_FACTORIES: dict[str, Callable[[Organization], Any]] = {
    "yuki_replace_key": lambda organization: make_connection(
        organization, provider=Provider.YUKI, config={"region": "BE", "administration_id": "a"}
    ),
}
DELETED_OBJECT_ROUTES = {"invoice_restore", "payment_restore", "credit_note_restore", "challan_restore"}


# --- outgoing webhooks -----------------------------------------------------------------------


def make_webhook_endpoint(organization: Organization, **fields: Any) -> WebhookEndpoint:
    """An active endpoint subscribed to every event, written directly (no DNS look-up of its
    URL), so tests can point it at their receiver on 127.0.0.1."""
    defaults: dict[str, Any] = {"url": "https://hooks.example.com/smart-invoice", "events": list(EventType.values)}
    return WebhookEndpoint.objects.create(organization=organization, **{**defaults, **fields})


def make_webhook_delivery(organization: Organization, **fields: Any) -> WebhookDelivery:
    """A delivery of an `invoice.sent` event that succeeded at its first attempt."""
    endpoint = fields.pop("endpoint", None) or make_webhook_endpoint(organization)
    defaults: dict[str, Any] = {
        "event_type": EventType.INVOICE_SENT,
        "payload": {"type": "invoice.sent", "timestamp": "2026-03-02T09:00:00+00:00", "data": {"id": 1}},
        "status": DeliveryStatus.SUCCEEDED,
        "attempt_count": 1,
        "last_response_code": 200,
    }
    return WebhookDelivery.objects.create(organization=organization, endpoint=endpoint, **{**defaults, **fields})


TENANT_OBJECT_FACTORIES[WebhookEndpoint] = make_webhook_endpoint
TENANT_OBJECT_FACTORIES[WebhookDelivery] = make_webhook_delivery


def make_transaction(organization: Organization) -> BankTransaction:
    """One booked payment out, on a new bank account."""
    return TENANT_OBJECT_FACTORIES[BankTransaction](organization)  # type: ignore[no-any-return]


def make_bill(organization: Organization, **fields: Any) -> Bill:
    """An open bill from the bookkeeping (a new Yuki connection unless given one)."""
    defaults: dict[str, Any] = {
        "external_id": f"bill-{Bill.objects.count() + 1}",
        "supplier": "Proximus",
        "reference": "INV-2026-0042",
        "date": datetime.date(2026, 3, 1),
        "due_date": datetime.date(2026, 3, 31),
        "original_amount": Decimal("121.00"),
        "open_amount": Decimal("121.00"),
    }
    if "connection" not in fields:
        fields["connection"] = make_connection(organization, provider=Provider.YUKI, display_name="Yuki · Test")
    return Bill.objects.create(organization=organization, **{**defaults, **fields})
