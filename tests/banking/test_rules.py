"""Category rules: the first matching rule wins, for new and for existing transactions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from banking import categories, pipeline, services
from banking.models import BankTransaction, CategoryRule
from core.models import AuditEvent, Role
from dashboards.models import DailyRollup
from integrations.models import SyncRun
from tests.factories import add_transactions, make_bank_account, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

D = datetime.date


def rule(organization, position, category, **fields):
    return CategoryRule.objects.create(organization=organization, position=position, category=category, **fields)


def categories_by_counterparty():
    return dict(BankTransaction.objects.values_list("counterpart_name", "category"))


def test_the_first_matching_rule_wins_for_new_transactions_after_the_sync(organization):
    rule(organization, 0, "Payroll", field="counterpart_name", operator="contains", value="janssens")
    rule(organization, 1, "Big spend", amount_max=Decimal("-1000.00"))
    rule(organization, 2, "Rent", field="counterpart_iban", operator="equals", value="BE71096123456769")
    rule(organization, 3, "Invoices", field="remittance_information", value="INV-")
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "-2500.00"), counterpart_name="Els Janssens")
    add_transactions(
        account, (D(2026, 5, 1), "-1850.00"), counterpart_name="Landlord", counterpart_iban="BE71096123456769"
    )
    add_transactions(
        account, (D(2026, 5, 1), "-850.00"), counterpart_name="Landlord 2", counterpart_iban="be71096123456769"
    )
    add_transactions(
        account, (D(2026, 5, 2), "121.00"), counterpart_name="Client", remittance_information="inv-2026-0001"
    )
    add_transactions(account, (D(2026, 5, 2), "5.00"), counterpart_name="Other")
    assert set(categories_by_counterparty().values()) == {""}  # the write path leaves categorising to the pipeline

    pipeline.after_sync(account.connection, SyncRun.objects.create(connection=account.connection))

    assert categories_by_counterparty() == {
        "Els Janssens": "Payroll",  # also matches "Big spend", but comes first
        "Landlord": "Big spend",  # also matches "Rent", but "Big spend" comes first
        "Landlord 2": "Rent",
        "Client": "Invoices",
        "Other": "",
    }
    assert set(DailyRollup.objects.values_list("category", flat=True)) == {
        "Payroll",
        "Big spend",
        "Rent",
        "Invoices",
        "",
    }


def test_changing_the_rules_recategorises_existing_transactions_in_the_same_order(organization, owner):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "-2500.00"), counterpart_name="Els Janssens")
    add_transactions(account, (D(2026, 5, 1), "-40.00"), counterpart_name="Telenet")
    assert set(categories_by_counterparty().values()) == {""}
    big = CategoryRule(category="Big spend", amount_max=Decimal("-1000.00"))
    assert services.save_rule(big, organization=organization, actor=owner) is True
    payroll = CategoryRule(category="Payroll", field="counterpart_name", value="Janssens")
    services.save_rule(payroll, organization=organization, actor=owner)
    assert categories_by_counterparty() == {"Els Janssens": "Big spend", "Telenet": ""}
    services.move_rule(payroll, -1, actor=owner)
    assert categories_by_counterparty() == {"Els Janssens": "Payroll", "Telenet": ""}
    rows = {r.category: (r.outflow, r.count) for r in DailyRollup.objects.all()}
    assert rows == {"Payroll": (Decimal("2500.00"), 1), "": (Decimal("40.00"), 1)}
    services.delete_rule(CategoryRule.objects.get(category="Payroll"), actor=owner)
    assert categories_by_counterparty() == {"Els Janssens": "Big spend", "Telenet": ""}
    assert AuditEvent.objects.filter(action__startswith="category_rule.").count() == 4


def test_new_transactions_and_a_recategorisation_agree(organization):
    rule(organization, 0, "A", field="counterpart_name", operator="equals", value="ACME nv")
    rule(organization, 1, "B", field="remittance_information", value="abonnement", amount_min=Decimal("-100"))
    rule(organization, 2, "C", amount_min=Decimal("0"), amount_max=Decimal("50"))
    account = make_bank_account(organization)
    samples = [
        ("acme NV", "", "-5.00"),
        ("ACME nv extra", "", "-5.00"),
        ("X", "Abonnement juni", "-99.99"),
        ("X", "abonnement", "-100.01"),
        ("Y", "", "50.00"),
        ("Y", "", "50.01"),
        ("Z", "", "0.00"),
    ]
    for name, text, amount in samples:
        add_transactions(account, (D(2026, 5, 1), amount), counterpart_name=name, remittance_information=text)
    assert categories.categorize_uncategorized(organization.pk) == 4
    after_the_sync = dict(BankTransaction.objects.values_list("pk", "category"))
    BankTransaction.objects.update(category="stale")
    categories.recategorize(organization.pk)
    assert dict(BankTransaction.objects.values_list("pk", "category")) == after_the_sync
    assert sorted(after_the_sync.values()) == sorted(["A", "", "B", "", "C", "", "C"])


@override_settings(DASHBOARD_INLINE_RECATEGORIZE_ROWS=0)
def test_a_large_history_is_recategorised_in_the_background(
    organization, owner, task_queue, django_capture_on_commit_callbacks
):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "-40.00"), counterpart_name="Telenet")
    with django_capture_on_commit_callbacks(execute=True):
        done = services.save_rule(
            CategoryRule(category="Telecom", field="counterpart_name", value="telenet"),
            organization=organization,
            actor=owner,
        )
    assert done is False
    assert task_queue.queue_size() == 1
    assert categories_by_counterparty() == {"Telenet": ""}
    from banking.tasks import recategorize

    recategorize(organization.pk)
    assert categories_by_counterparty() == {"Telenet": "Telecom"}


def test_rules_page_adds_edits_moves_and_deletes(owner_client, organization):
    account = make_bank_account(organization)
    add_transactions(account, (D(2026, 5, 1), "-40.00"), counterpart_name="Telenet")
    url = reverse("banking:rules")
    response = owner_client.post(
        url, {"category": "Telecom", "field": "counterpart_name", "operator": "contains", "value": "tele"}
    )
    assert response.status_code == 302
    assert categories_by_counterparty() == {"Telenet": "Telecom"}
    owner_client.post(url, {"category": "Small", "amount_min": "-50", "amount_max": "0", "operator": "contains"})
    first, second = CategoryRule.objects.order_by("position")
    owner_client.post(reverse("banking:rule_down", args=[first.pk]))
    assert categories_by_counterparty() == {"Telenet": "Small"}
    response = owner_client.post(
        reverse("banking:rule_edit", args=[second.pk]),
        {"category": "Small", "amount_min": "-30", "amount_max": "0", "operator": "contains"},
    )
    assert response.status_code == 302
    assert categories_by_counterparty() == {"Telenet": "Telecom"}
    owner_client.post(reverse("banking:rule_delete", args=[first.pk]))
    owner_client.post(reverse("banking:rule_delete", args=[second.pk]))
    assert categories_by_counterparty() == {"Telenet": ""}
    assert b"No rules yet" in owner_client.get(url).content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"category": "X", "operator": "contains"}, b"A rule needs a condition"),
        (
            {"category": "", "field": "counterpart_name", "value": "a", "operator": "contains"},
            b"This field is required",
        ),
        ({"category": "X", "field": "counterpart_name", "value": "", "operator": "contains"}, b"Give both the field"),
        ({"category": "X", "amount_min": "10", "amount_max": "5", "operator": "contains"}, b"upper bound is below"),
        ({"category": "X", "amount_min": "abc", "operator": "contains"}, b"Enter a number"),
        ({"category": "X", "field": "bogus", "value": "a", "operator": "contains"}, b"Select a valid choice"),
    ],
)
def test_bad_rules_get_form_errors_and_save_nothing(owner_client, data, message):
    response = owner_client.post(reverse("banking:rules"), data)
    assert response.status_code == 400
    assert message in response.content
    assert not CategoryRule.objects.exists()


def test_a_viewer_sees_the_rules_but_cannot_change_them(organization):
    CategoryRule.objects.create(organization=organization, category="Rent", field="counterpart_name", value="x")
    viewer = logged_in_client(member(organization, Role.VIEWER))
    assert viewer.get(reverse("banking:rules")).status_code == 200
    response = viewer.post(reverse("banking:rules"), {"category": "X", "amount_min": "1", "operator": "contains"})
    assert response.status_code == 403
    assert CategoryRule.objects.count() == 1
