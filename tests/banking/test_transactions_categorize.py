"""Categorising from the transactions screen: one row, many rows, and a rule made from a row."""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from banking import categories, services
from banking.models import BankAccount, BankTransaction, CategoryRule, RuleField, RuleOperator
from core.models import AuditEvent, Organization, Role
from dashboards.models import DailyRollup
from tests.factories import add_transactions, make_bank_account, member
from tests.helpers import logged_in_client

URL = reverse("banking:transactions")
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization)


@pytest.fixture
def proximus(account: BankAccount) -> list[BankTransaction]:
    return add_transactions(
        account,
        *((DAY - datetime.timedelta(days=30 * n), "-42.50") for n in range(4)),
        counterpart_name="Proximus NV",
        counterpart_iban="BE12310000000000",
    )


@pytest.mark.django_db
def test_bulk_categorise_changes_the_ticked_rows_audited(
    owner_client: Client, organization: Organization, proximus: list[BankTransaction]
):
    ticked = [proximus[0].pk, proximus[1].pk]
    response = owner_client.post(URL, {"ids": ticked, "category": "Telecom", "next": URL + "?q=proximus"})
    assert response.status_code == 302
    assert response["Location"] == URL + "?q=proximus"
    rows = BankTransaction.objects.in_bulk([row.pk for row in proximus])
    assert [rows[pk].category for pk in ticked] == ["Telecom", "Telecom"]
    assert all(rows[pk].categorized_by_hand for pk in ticked)
    assert rows[proximus[2].pk].category == ""
    events = AuditEvent.objects.filter(organization=organization, action="bank_transaction.categorized")
    assert sorted(int(event.target_id) for event in events) == sorted(ticked)
    first = events.first()
    assert first is not None
    assert first.changes == {"before": {"category": ""}, "after": {"category": "Telecom"}}
    # The dashboards' rollups follow.
    assert DailyRollup.objects.filter(organization=organization, category="Telecom").exists()


@pytest.mark.django_db
def test_bulk_categorise_ignores_another_organisations_rows(
    owner_client: Client, other_organization: Organization, proximus: list[BankTransaction]
):
    (theirs,) = add_transactions(make_bank_account(other_organization), (DAY, "-1.00"))
    owner_client.post(URL, {"ids": [proximus[0].pk, theirs.pk], "category": "Telecom"})
    theirs.refresh_from_db()
    assert theirs.category == ""
    assert not AuditEvent.objects.filter(target_id=str(theirs.pk), action="bank_transaction.categorized").exists()


@pytest.mark.django_db
def test_bulk_categorise_without_ticks_says_so(owner_client: Client, proximus: list[BankTransaction]):
    response = owner_client.post(URL, {"category": "Telecom"}, follow=True)
    assert "Tick the transactions" in response.content.decode()
    assert not BankTransaction.objects.exclude(category="").exists()


@pytest.mark.django_db
def test_a_viewer_cannot_categorise(organization: Organization, proximus: list[BankTransaction]):
    viewer = logged_in_client(member(organization, Role.VIEWER))
    assert viewer.post(URL, {"ids": [proximus[0].pk], "category": "x"}).status_code == 403
    url = reverse("banking:transaction_categorize", args=[proximus[0].pk])
    assert viewer.post(url, {"category": "x"}).status_code == 403


@pytest.mark.django_db
def test_one_row_categorised_stays_when_rules_run_again(
    owner_client: Client, organization: Organization, proximus: list[BankTransaction]
):
    url = reverse("banking:transaction_categorize", args=[proximus[0].pk])
    assert owner_client.post(url, {"category": "Phone"}).status_code == 302
    CategoryRule.objects.create(
        organization=organization, category="Telecom", field="counterpart_name", value="proximus"
    )
    categories.recategorize(organization.pk)
    proximus[0].refresh_from_db()
    proximus[1].refresh_from_db()
    assert (proximus[0].category, proximus[1].category) == ("Phone", "Telecom")


@pytest.mark.django_db
def test_the_rule_form_is_prefilled_from_the_row(owner_client: Client, proximus: list[BankTransaction]):
    response = owner_client.get(reverse("banking:transaction_rule", args=[proximus[0].pk]))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["field"] == RuleField.COUNTERPART_IBAN
    assert initial["value"] == "BE12310000000000"
    assert initial["operator"] == RuleOperator.EQUALS
    assert str(initial["amount_max"]) == "-0.01"


@pytest.mark.django_db
def test_the_rule_preview_counts_what_apply_changes(
    owner_client: Client, organization: Organization, account: BankAccount, proximus: list[BankTransaction]
):
    # One already in the category, one chosen by hand: neither is changed nor counted.
    BankTransaction.objects.filter(pk=proximus[3].pk).update(category="Telecom")
    services.categorize_transactions(organization, [proximus[2].pk], "Phone", actor=member(organization))
    add_transactions(account, (DAY, "-9.99"), counterpart_name="Telenet")
    url = reverse("banking:transaction_rule", args=[proximus[0].pk])
    form = {"category": "Telecom", "field": "counterpart_name", "operator": "contains", "value": "proximus"}

    preview = owner_client.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert preview.context["preview"].count == 2
    assert "rule-apply" in preview.content.decode()
    assert not CategoryRule.objects.exists()

    response = owner_client.post(url, {**form, "apply": "1"})
    assert response.status_code == 302
    changed = BankTransaction.objects.filter(organization=organization, category="Telecom").count()
    assert changed == 2 + 1  # the two previewed, and the one that already was
    rule = CategoryRule.objects.get()
    assert rule.position == 0
    assert (
        AuditEvent.objects.filter(action="category_rule.applied", target_id=str(rule.pk))
        .get()
        .changes["after"]["transactions"]
        == 2
    )


@pytest.mark.django_db
def test_a_rule_made_from_a_row_goes_first(
    owner_client: Client, organization: Organization, proximus: list[BankTransaction]
):
    CategoryRule.objects.create(organization=organization, category="Small purchases", amount_min=-250, amount_max=0)
    url = reverse("banking:transaction_rule", args=[proximus[0].pk])
    form = {
        "category": "Telecom",
        "field": "counterpart_name",
        "operator": "contains",
        "value": "proximus",
        "apply": "1",
    }
    owner_client.post(url, form)
    assert list(CategoryRule.objects.order_by("position").values_list("category", flat=True)) == [
        "Telecom",
        "Small purchases",
    ]
    categories.recategorize(organization.pk)
    assert set(BankTransaction.objects.values_list("category", flat=True)) == {"Telecom"}


@pytest.mark.django_db
def test_an_invalid_rule_is_a_form_error(owner_client: Client, proximus: list[BankTransaction]):
    url = reverse("banking:transaction_rule", args=[proximus[0].pk])
    response = owner_client.post(url, {"category": "", "field": "counterpart_name", "value": "", "apply": "1"})
    assert response.status_code == 400
    assert not CategoryRule.objects.exists()


@pytest.mark.django_db
def test_the_detail_page_shows_the_history_and_raw_data(
    owner_client: Client, organization: Organization, proximus: list[BankTransaction]
):
    row = proximus[0]
    BankTransaction.objects.filter(pk=row.pk).update(raw={"attributes": {"amount": -42.5}})
    owner_client.post(reverse("banking:transaction_categorize", args=[row.pk]), {"category": "Telecom"})
    response = owner_client.get(reverse("banking:transaction_detail", args=[row.pk]))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Telecom" in html
    assert '"amount": -42.5' in html
    assert len(response.context["history"]) == 1
