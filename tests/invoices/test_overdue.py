"""Marking past-due invoices overdue: who is marked, idempotence, audit, command, schedules."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule

from core.models import AuditEvent, Organization
from invoices import services, tasks
from invoices.models import Invoice, InvoiceStatus
from invoices.reminders import mark_overdue_invoices
from tests.factories import make_client, make_invoice, pay

# make_invoice: issued 2026-03-02, 30 days' terms, so due 2026-04-01.
DUE = datetime.date(2026, 4, 1)
DAY_AFTER = DUE + datetime.timedelta(days=1)


def status_of(invoice: Invoice | Model) -> str:
    return str(Invoice.all_objects.get(pk=invoice.pk).status)


def overdue_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="invoice.overdue").order_by("id"))


@pytest.mark.django_db
def test_a_sent_invoice_becomes_overdue_the_day_after_its_due_date(organization: Organization) -> None:
    invoice = make_invoice(organization)

    assert mark_overdue_invoices(DUE) == 0
    assert status_of(invoice) == InvoiceStatus.SENT

    assert mark_overdue_invoices(DAY_AFTER) == 1
    assert status_of(invoice) == InvoiceStatus.OVERDUE


@pytest.mark.django_db
def test_a_partly_paid_invoice_becomes_overdue(organization: Organization) -> None:
    invoice = make_invoice(organization)
    pay(invoice, Decimal("21.00"), on=DUE)
    assert status_of(invoice) == InvoiceStatus.PARTIALLY_PAID

    assert mark_overdue_invoices(DAY_AFTER) == 1
    assert status_of(invoice) == InvoiceStatus.OVERDUE


@pytest.mark.django_db
def test_drafts_paid_cancelled_deleted_and_not_yet_due_invoices_are_left_alone(organization: Organization) -> None:
    client = make_client(organization)
    draft = make_invoice(organization, client, sent=False)
    paid = make_invoice(organization, client)
    pay(paid, paid.total, on=DUE)
    cancelled = services.cancel_invoice(make_invoice(organization, client))
    deleted = services.soft_delete(make_invoice(organization, client))
    later = make_invoice(organization, client, issue_date=datetime.date(2026, 3, 20))  # due 2026-04-19
    past_due = make_invoice(organization, client)

    assert mark_overdue_invoices(DAY_AFTER) == 1

    assert status_of(past_due) == InvoiceStatus.OVERDUE
    assert status_of(draft) == InvoiceStatus.DRAFT
    assert status_of(paid) == InvoiceStatus.PAID
    assert status_of(cancelled) == InvoiceStatus.CANCELLED
    assert status_of(deleted) == InvoiceStatus.SENT
    assert status_of(later) == InvoiceStatus.SENT
    assert [event.target_id for event in overdue_events()] == [str(past_due.pk)]


@pytest.mark.django_db
def test_marking_covers_every_organisation(organization: Organization, other_organization: Organization) -> None:
    ours = make_invoice(organization)
    theirs = make_invoice(other_organization)

    assert mark_overdue_invoices(DAY_AFTER) == 2

    assert status_of(ours) == status_of(theirs) == InvoiceStatus.OVERDUE
    assert {event.organization_id for event in overdue_events()} == {organization.pk, other_organization.pk}


@pytest.mark.django_db
def test_a_second_run_marks_nothing(organization: Organization) -> None:
    invoice = make_invoice(organization)

    assert mark_overdue_invoices(DAY_AFTER) == 1
    assert mark_overdue_invoices(DAY_AFTER) == 0
    assert mark_overdue_invoices(DAY_AFTER + datetime.timedelta(days=5)) == 0

    assert status_of(invoice) == InvoiceStatus.OVERDUE
    assert len(overdue_events()) == 1


@pytest.mark.django_db
def test_each_invoice_marked_gets_an_audit_event(organization: Organization) -> None:
    client = make_client(organization)
    sent = make_invoice(organization, client)
    partly_paid = make_invoice(organization, client)
    pay(partly_paid, Decimal("1.00"), on=DUE)

    mark_overdue_invoices(DAY_AFTER)

    events = {event.target_id: event for event in overdue_events()}
    assert set(events) == {str(sent.pk), str(partly_paid.pk)}
    event = events[str(partly_paid.pk)]
    assert event.organization_id == organization.pk
    assert event.actor is None and event.actor_email == ""
    assert event.target_type == "invoices.invoice"
    assert event.target_repr == partly_paid.number
    assert event.changes == {"before": {"status": "partially_paid"}, "after": {"status": "overdue"}}
    assert events[str(sent.pk)].before == {"status": "sent"}


@pytest.mark.django_db
def test_marking_works_in_batches_without_a_query_per_invoice(organization: Organization) -> None:
    client = make_client(organization)
    invoices = [make_invoice(organization, client) for _ in range(12)]

    with CaptureQueriesContext(connection) as queries:
        assert mark_overdue_invoices(DAY_AFTER, batch_size=5) == 12

    # 3 batches of select + update + one bulk insert, then a final empty select: not one
    # query per invoice (transaction statements left out, they differ between databases).
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert sum(sql.upper().startswith("UPDATE") for sql in statements) == 3
    assert sum(sql.upper().startswith("INSERT") for sql in statements) == 3
    assert len(statements) == 3 * 3 + 1
    assert {status_of(invoice) for invoice in invoices} == {InvoiceStatus.OVERDUE}
    assert len(overdue_events()) == 12


@pytest.mark.django_db
def test_the_command_marks_for_the_given_date_and_says_how_many(organization: Organization) -> None:
    client = make_client(organization)
    make_invoice(organization, client)
    make_invoice(organization, client)
    out = StringIO()

    call_command("check_overdue_invoices", "--date", DUE.isoformat(), stdout=out)
    assert out.getvalue().strip() == "Marked 0 invoices overdue."

    out = StringIO()
    call_command("check_overdue_invoices", "--date", DAY_AFTER.isoformat(), stdout=out)
    assert out.getvalue().strip() == "Marked 2 invoices overdue."


@pytest.mark.django_db
def test_the_command_rejects_a_malformed_date() -> None:
    with pytest.raises(CommandError, match="not a date"):
        call_command("check_overdue_invoices", "--date", "01/04/2026")


@pytest.mark.django_db
def test_the_command_defaults_to_today(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    make_invoice(organization)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DAY_AFTER)
    out = StringIO()

    call_command("check_overdue_invoices", stdout=out)

    assert out.getvalue().strip() == "Marked 1 invoice overdue."


@pytest.mark.django_db
def test_the_task_marks_for_today(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    invoice = make_invoice(organization)
    monkeypatch.setattr(tasks, "localdate", lambda: DUE)
    assert tasks.check_overdue_invoices() == 0

    monkeypatch.setattr(tasks, "localdate", lambda: DAY_AFTER)
    assert tasks.check_overdue_invoices() == 1
    assert status_of(invoice) == InvoiceStatus.OVERDUE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "func", "hour"),
    [
        ("invoices.check_overdue_invoices", "invoices.tasks.check_overdue_invoices", 6),
        ("invoices.send_payment_reminders", "invoices.tasks.send_payment_reminders", 8),
    ],
)
def test_the_daily_schedules_exist_after_migrating(name: str, func: str, hour: int) -> None:
    assert Schedule.objects.filter(func=func).exists()
    schedule = Schedule.objects.get(name=name)
    assert schedule.func == func
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
    # Only the hour: the test database may have been migrated a while ago.
    assert timezone.localtime(schedule.next_run).time() == datetime.time(hour)
