"""Payment reminders: which stage is sent when, never twice, retried after a failure, and what they say."""

from __future__ import annotations

import datetime
import smtplib
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from core.formatting import format_money
from core.models import AuditEvent, Organization
from invoices import notifications, reminders, services, tasks
from invoices.models import BillingProfile, Invoice, ReminderLog
from invoices.reminders import mark_overdue_invoices, send_payment_reminders
from tests.factories import make_client, make_invoice, pay
from tests.mail import FAILING_BACKEND, html_of, only_message

# make_invoice: issued 2026-03-02, 30 days' terms, so due 2026-04-01, EUR 121.00.
DUE = datetime.date(2026, 4, 1)


def day(offset: int) -> datetime.date:
    return DUE + datetime.timedelta(days=offset)


def stages(invoice: Invoice) -> list[int]:
    return sorted(ReminderLog.objects.filter(invoice=invoice).values_list("offset_days", flat=True))


class SlowBackend(LocmemBackend):
    """The test outbox behind a slow mail server: keeps the claiming transaction open a while."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        time.sleep(0.5)
        return super().send_messages(messages)


SLOW_BACKEND = f"{__name__}.SlowBackend"


# --- when -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-3, 0, 7, 14])
def test_each_default_stage_is_sent_on_its_day(organization: Organization, offset: int) -> None:
    invoice = make_invoice(organization)
    ReminderLog.objects.bulk_create(
        ReminderLog(organization=organization, invoice=invoice, offset_days=earlier, recipient="x@example.com")
        for earlier in (-3, 0, 7, 14)
        if earlier < offset
    )

    assert send_payment_reminders(day(offset - 1)) == 0
    assert send_payment_reminders(day(offset)) == 1

    assert stages(invoice)[-1] == offset
    assert only_message().to == ["accounts@dupont.example"]


@pytest.mark.django_db
def test_day_by_day_each_stage_is_sent_once_on_its_day(organization: Organization) -> None:
    invoice = make_invoice(organization)
    sent_on: dict[datetime.date, int] = {}

    for offset in range(-10, 30):
        # Production order: the overdue job runs first, then the reminders.
        mark_overdue_invoices(day(offset))
        count = send_payment_reminders(day(offset))
        if count:
            sent_on[day(offset)] = count

    assert sent_on == {day(-3): 1, day(0): 1, day(7): 1, day(14): 1}
    assert stages(invoice) == [-3, 0, 7, 14]
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_an_invoice_found_late_gets_only_the_latest_due_stage(organization: Organization) -> None:
    invoice = make_invoice(organization)

    assert send_payment_reminders(day(20)) == 1
    assert stages(invoice) == [14]
    assert "20 days overdue" in only_message().body

    assert send_payment_reminders(day(21)) == 0
    assert send_payment_reminders(day(40)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_earlier_stage_is_not_sent_after_a_later_one(organization: Organization) -> None:
    invoice = make_invoice(organization)
    ReminderLog.objects.create(organization=organization, invoice=invoice, offset_days=14, recipient="x@example.com")

    assert send_payment_reminders(day(8)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_running_twice_on_the_same_day_or_the_next_sends_once(organization: Organization) -> None:
    invoice = make_invoice(organization)

    assert send_payment_reminders(day(0)) == 1
    assert send_payment_reminders(day(0)) == 0
    assert send_payment_reminders(day(1)) == 0

    assert stages(invoice) == [0]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_stage_claimed_by_a_concurrent_run_is_skipped(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = make_invoice(organization)
    real_logged_stages = reminders.logged_stages

    def other_run_claims_meanwhile(invoice_ids: list[int]) -> dict[int, set[int]]:
        logged = real_logged_stages(invoice_ids)  # read before the other run's claim
        ReminderLog.objects.create(organization=organization, invoice=invoice, offset_days=0, recipient="x@example.com")
        return logged

    monkeypatch.setattr(reminders, "logged_stages", other_run_claims_meanwhile)

    assert send_payment_reminders(day(0)) == 0
    assert mail.outbox == []
    assert ReminderLog.objects.get(invoice=invoice).recipient == "x@example.com"
    assert not AuditEvent.objects.filter(action="invoice.reminder_sent").exists()


@pytest.mark.django_db
def test_an_invoice_paid_while_the_run_works_gets_no_reminder(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = make_invoice(organization)
    real_logged_stages = reminders.logged_stages

    def paid_meanwhile(invoice_ids: list[int]) -> dict[int, set[int]]:
        pay(invoice, invoice.total, on=DUE)
        return real_logged_stages(invoice_ids)

    monkeypatch.setattr(reminders, "logged_stages", paid_meanwhile)

    assert send_payment_reminders(day(0)) == 0
    assert mail.outbox == []
    assert stages(invoice) == []


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_one_reminder(organization: Organization) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions: PostgreSQL, the production database")
    invoice = make_invoice(organization)
    start = threading.Barrier(2)

    def run() -> int:
        start.wait(timeout=10)
        try:
            return send_payment_reminders(day(0))
        finally:
            connection.close()  # each thread has its own connection

    with override_settings(EMAIL_BACKEND=SLOW_BACKEND), ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run) for _ in range(2)]
        results = sorted(future.result(timeout=30) for future in futures)

    assert results == [0, 1]
    assert len(mail.outbox) == 1
    assert stages(invoice) == [0]


# --- who ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_paid_invoice_gets_no_reminder(organization: Organization) -> None:
    invoice = make_invoice(organization)
    pay(invoice, invoice.total, on=DUE)

    assert send_payment_reminders(day(7)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_drafts_cancelled_and_deleted_invoices_get_no_reminder(organization: Organization) -> None:
    client = make_client(organization)
    make_invoice(organization, client, sent=False)
    services.cancel_invoice(make_invoice(organization, client))
    services.soft_delete(make_invoice(organization, client))
    reminded = make_invoice(organization, client)

    assert send_payment_reminders(day(7)) == 1
    assert ReminderLog.objects.get().invoice_id == reminded.pk


@pytest.mark.django_db
def test_a_client_without_email_gets_no_reminder(organization: Organization) -> None:
    make_invoice(organization, make_client(organization, email=""))

    assert send_payment_reminders(day(0)) == 0
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


@pytest.mark.django_db
def test_an_organisation_that_switched_reminders_off_sends_none(
    organization: Organization, other_organization: Organization
) -> None:
    BillingProfile.objects.create(organization=organization, send_reminders=False)
    make_invoice(organization)
    theirs = make_invoice(other_organization)

    assert send_payment_reminders(day(0)) == 1
    assert ReminderLog.objects.get().invoice_id == theirs.pk


@pytest.mark.django_db
def test_custom_offsets_are_respected(organization: Organization, other_organization: Organization) -> None:
    BillingProfile.objects.create(organization=organization, reminder_offsets=[10, 1])
    ours = make_invoice(organization)
    theirs = make_invoice(other_organization)  # no profile: the default stages

    assert send_payment_reminders(day(-3)) == 1  # theirs only
    assert send_payment_reminders(day(0)) == 1  # theirs only
    assert stages(ours) == []
    assert send_payment_reminders(day(1)) == 1
    assert stages(ours) == [1]
    assert send_payment_reminders(day(7)) == 1  # theirs
    assert send_payment_reminders(day(10)) == 1
    assert stages(ours) == [1, 10]
    assert stages(theirs) == [-3, 0, 7]


@pytest.mark.django_db
def test_no_offsets_means_no_reminders(organization: Organization) -> None:
    BillingProfile.objects.create(organization=organization, reminder_offsets=[])
    make_invoice(organization)

    assert send_payment_reminders(day(30)) == 0
    assert mail.outbox == []


# --- failures -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_send_is_not_logged_and_the_next_run_retries(organization: Organization) -> None:
    invoice = make_invoice(organization)

    with override_settings(EMAIL_BACKEND=FAILING_BACKEND):
        assert send_payment_reminders(day(0)) == 0
    assert stages(invoice) == []
    assert not AuditEvent.objects.filter(action="invoice.reminder_sent").exists()

    assert send_payment_reminders(day(1)) == 1
    assert stages(invoice) == [0]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_one_failing_invoice_does_not_stop_the_others(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(organization)
    failing = make_invoice(organization, client)
    fine = make_invoice(organization, client)
    real_send = notifications.send_reminder_email

    def refuse_one(invoice: Invoice, offset_days: int, **kwargs: Any) -> None:
        if invoice.pk == failing.pk:
            raise smtplib.SMTPRecipientsRefused({})
        real_send(invoice, offset_days, **kwargs)

    monkeypatch.setattr(reminders, "send_reminder_email", refuse_one)

    assert send_payment_reminders(day(0)) == 1
    assert stages(failing) == []
    assert stages(fine) == [0]


@pytest.mark.django_db
def test_a_run_stops_when_the_mail_server_keeps_refusing(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(organization)
    for _ in range(reminders.MAX_CONSECUTIVE_FAILURES + 3):
        make_invoice(organization, client)
    attempts: list[int] = []

    def refuse(invoice: Invoice, offset_days: int, **kwargs: Any) -> None:
        attempts.append(invoice.pk)
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr(reminders, "send_reminder_email", refuse)

    assert send_payment_reminders(day(0)) == 0
    assert len(attempts) == reminders.MAX_CONSECUTIVE_FAILURES
    assert not ReminderLog.objects.exists()


# --- what -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_gives_amount_due_date_reference_and_iban(organization: Organization) -> None:
    BillingProfile.objects.create(
        organization=organization, legal_name="Acme BV", iban="BE68539007547034", email="billing@acme.example"
    )
    invoice = make_invoice(organization)
    pay(invoice, Decimal("21.00"), on=DUE)

    send_payment_reminders(day(7))

    message = only_message()
    html = html_of(message)
    for body in (message.body, html):
        assert format_money(Decimal("100.00")) in body  # what is left after the partial payment
        assert "01/04/2026" in body
        assert invoice.formatted_reference in body
        assert "BE68 5390 0754 7034" in body
        assert "7 days overdue" in body
    assert invoice.number in message.subject
    assert message.reply_to == ["billing@acme.example"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "wording"),
    [(-3, "is due on 01/04/2026"), (0, "is due today"), (7, "is 7 days overdue"), (14, "is 14 days overdue")],
)
def test_the_wording_follows_the_stage(organization: Organization, offset: int, wording: str) -> None:
    invoice = make_invoice(organization)
    ReminderLog.objects.bulk_create(
        ReminderLog(organization=organization, invoice=invoice, offset_days=earlier, recipient="x@example.com")
        for earlier in (-3, 0, 7, 14)
        if earlier < offset
    )

    send_payment_reminders(day(offset))

    message = only_message()
    assert wording in message.body
    assert wording in html_of(message)
    assert wording in message.subject


@pytest.mark.django_db
def test_the_html_reminder_escapes_names(organization: Organization) -> None:
    make_invoice(organization, make_client(organization, name="<b>Dupont</b> & Fils"))

    send_payment_reminders(day(0))

    message = only_message()
    assert "&lt;b&gt;Dupont&lt;/b&gt; &amp; Fils" in html_of(message)
    assert "<b>Dupont</b>" not in html_of(message)
    assert "Dear <b>Dupont</b> & Fils," in message.body  # plain text is not HTML-escaped


@pytest.mark.django_db
def test_each_reminder_is_audited(organization: Organization) -> None:
    invoice = make_invoice(organization)

    send_payment_reminders(day(0))

    event = AuditEvent.objects.get(action="invoice.reminder_sent")
    assert event.organization_id == organization.pk
    assert event.actor is None
    assert event.target_type == "invoices.invoice"
    assert event.target_id == str(invoice.pk)
    assert event.after == {"offset_days": 0, "recipient": "accounts@dupont.example"}


@pytest.mark.django_db
def test_queries_do_not_grow_with_invoices_that_need_nothing(organization: Organization) -> None:
    BillingProfile.objects.create(organization=organization)
    client = make_client(organization)

    def queries_for_a_run() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert send_payment_reminders(day(1)) == 0
        return len(queries.captured_queries)

    for _ in range(2):
        invoice = make_invoice(organization, client)
        ReminderLog.objects.create(organization=organization, invoice=invoice, offset_days=0, recipient="x@example.com")
    few = queries_for_a_run()
    for _ in range(8):
        invoice = make_invoice(organization, client)
        ReminderLog.objects.create(organization=organization, invoice=invoice, offset_days=0, recipient="x@example.com")

    assert queries_for_a_run() == few <= 4


# --- entry points ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_sends_for_the_given_date_and_says_how_many(organization: Organization) -> None:
    client = make_client(organization)
    make_invoice(organization, client)
    make_invoice(organization, client)

    out = StringIO()
    call_command("send_payment_reminders", "--date", day(-4).isoformat(), stdout=out)
    assert out.getvalue().strip() == "Sent 0 reminders."

    out = StringIO()
    call_command("send_payment_reminders", "--date", day(0).isoformat(), stdout=out)
    assert out.getvalue().strip() == "Sent 2 reminders."
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_task_sends_for_today(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    invoice = make_invoice(organization)
    monkeypatch.setattr(tasks, "localdate", lambda: day(7))

    assert tasks.send_payment_reminders() == 1
    assert stages(invoice) == [7]
