"""The category rules and the reconciliation pages as a Dutch- and a French-speaking user reads
them: the words of the user's saved language (whatever the browser asks for), money and dates
written that language's way, and the messages and errors of their decisions too."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from banking import reconciliation
from banking.models import BankAccount, CategoryRule, Match, MatchStatus
from core.formatting import format_date, format_money, format_number
from core.models import Organization, Role
from invoices.models import Client, Invoice
from tests.factories import add_transactions, make_bank_account, make_client, make_invoice, make_lines, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

IBAN = "BE71096123456769"
DAY = datetime.date(2026, 3, 20)
# Above a thousand, so the grouping separator shows: 1,500.00 + 21 % VAT.
INVOICE_TOTAL = Decimal("1815.00")
RECEIVED = Decimal("1815.00")

# What each language calls things on these pages (the catalogues' words, checked here).
WORDS = {
    "nl": {
        "rules_intro": "Elke banktransactie krijgt de categorie van de eerste regel",
        "add_a_rule": "Een regel toevoegen",
        "condition": "Naam van de tegenpartij bevat “Proximus” en bedrag van",
        "no_condition": "Een regel heeft een voorwaarde nodig",
        "edit_rule": "Regel “Telecom” bewerken",
        "rules_saved": "Regels opgeslagen en toegepast op alle transacties.",
        "waiting": "Wacht op nazicht",
        "recently_paid": "Onlangs automatisch betaald",
        "iban_and_amount": "IBAN van de klant en het exacte openstaande bedrag",
        "by_number": "Factuurnummer in de mededeling",
        "from_payer": "van Brasserie Dupont",
        "why": "Waarom deze koppeling",
        "two_fit": "2 openstaande facturen passen",
        "split_over": "Verdelen over meerdere facturen",
        "reject": "Afwijzen: ze betaalt geen van deze facturen",
        "paid_on": "geboekt als betaling op",
        "applied": "Afgepunt",
        "already_applied": "Deze koppeling was al afgepunt",
        "sum_differs": "De bedragen komen samen op",
    },
    "fr": {
        "rules_intro": "Chaque transaction bancaire reçoit la catégorie de la première règle",
        "add_a_rule": "Ajouter une règle",
        "condition": "Nom de la contrepartie contient « Proximus » et montant de",
        "no_condition": "Une règle a besoin d'une condition",
        "edit_rule": "Modifier la règle « Telecom »",
        "rules_saved": "Règles enregistrées et appliquées à toutes les transactions.",
        "waiting": "En attente de vérification",
        "recently_paid": "Payées automatiquement récemment",
        "iban_and_amount": "IBAN du client et montant exact restant dû",
        "by_number": "Numéro de facture dans la communication",
        "from_payer": "de Brasserie Dupont",
        "why": "Pourquoi ce rapprochement",
        "two_fit": "2 factures ouvertes correspondent",
        "split_over": "Répartir sur plusieurs factures",
        "reject": "Rejeter : elle ne paie aucune de ces factures",
        "paid_on": "enregistré comme paiement de",
        "applied": "Rapproché",
        "already_applied": "Ce rapprochement a déjà été appliqué",
        "sum_differs": "Les montants totalisent",
    },
}
LANGUAGES = sorted(WORDS)
# English the pages said before: none of it may be left for a Dutch or French reader.
ENGLISH = [
    "Category rules",
    "Add a rule",
    "Waiting for review",
    "Recently paid automatically",
    "Why it was matched",
    "Split over several invoices",
    "Candidate invoices",
    "open invoices fit",
]


def reader(organization: Organization, language: str, role: Role = Role.OWNER) -> HttpClient:
    """A member who chose `language` on their account, with a browser that asks for English."""
    user = member(organization, role, email=f"{language}@acme.example", language=language)
    client = logged_in_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(client: HttpClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    # As a reader sees it: &#x27; and &quot; become ' and " again.
    return html.unescape(response.content.decode())


def in_language(language: str, money: Decimal) -> str:
    with translation.override(language):
        return format_money(money)


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization)


@pytest.fixture
def payer(organization: Organization) -> Client:
    payer = make_client(organization, name="Brasserie Dupont")
    payer.bank_accounts.create(organization=organization, iban=IBAN)
    return payer


@pytest.fixture
def invoices(organization: Organization, payer: Client) -> list[Invoice]:
    return [make_invoice(organization, payer, lines=make_lines(("1", "1500.00", "21"))) for _ in range(2)]


@pytest.fixture
def waiting(account: BankAccount, invoices: list[Invoice]) -> Match:
    """A payment of the client's IBAN that both its open invoices fit exactly, and one paid
    automatically by its invoice number."""
    add_transactions(account, (DAY, str(RECEIVED)), counterpart_iban=IBAN, counterpart_name="Brasserie Dupont")
    add_transactions(account, (DAY, "100.00"), remittance_information=invoices[1].number)
    assert reconciliation.reconcile(account.organization_id) == reconciliation.ReconcileResult(applied=1, suggested=1)
    return Match.objects.get(status=MatchStatus.SUGGESTED)


@pytest.fixture
def telecom(organization: Organization) -> CategoryRule:
    return CategoryRule.objects.create(
        organization=organization,
        category="Telecom",
        field="counterpart_name",
        operator="contains",
        value="Proximus",
        amount_min=Decimal("-1250.50"),
        amount_max=Decimal("0"),
    )


# --- category rules ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rules_list_reads_in_the_users_language(organization, telecom, language):
    words = WORDS[language]

    text = page(reader(organization, language), reverse("banking:rules"))

    assert words["rules_intro"] in text and words["add_a_rule"] in text
    assert words["condition"] in text
    with translation.override(language):
        assert format_number(Decimal("-1250.50"), 2) in text  # -1.250,50
    assert not [english for english in ENGLISH if english in text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rule_without_a_condition_is_refused_in_the_users_language(organization, language):
    client = reader(organization, language)

    response = client.post(reverse("banking:rules"), {"category": "Telecom", "operator": "contains"})

    assert response.status_code == 400
    assert WORDS[language]["no_condition"] in html.unescape(response.content.decode())
    assert not CategoryRule.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rule_form_reads_in_the_users_language(organization, telecom, language):
    words = WORDS[language]
    client = reader(organization, language)
    url = reverse("banking:rule_edit", args=[telecom.pk])

    text = page(client, url)
    changed = {"category": "Telecom", "field": "counterpart_name", "operator": "equals", "value": "Proximus"}
    saved = client.post(url, changed, follow=True)

    assert words["edit_rule"] in text
    assert "Edit the rule" not in text
    assert words["rules_saved"] in html.unescape(saved.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rules_amounts_are_shown_and_typed_the_languages_way(organization, telecom, language):
    client = reader(organization, language)
    url = reverse("banking:rule_edit", args=[telecom.pk])

    text = page(client, url)
    client.post(url, {"category": "Small", "operator": "contains", "amount_min": "-49,90", "amount_max": "0,00"})

    assert 'value="-1250,50"' in text
    telecom.refresh_from_db()
    assert (telecom.amount_min, telecom.amount_max) == (Decimal("-49.90"), Decimal("0.00"))


# --- reconciliation ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_review_list_reads_in_the_users_language(organization, waiting, language):
    words = WORDS[language]

    text = page(reader(organization, language), reverse("banking:reconciliation"))

    assert words["waiting"] in text and words["recently_paid"] in text
    assert words["iban_and_amount"] in text and words["by_number"] in text
    assert in_language(language, RECEIVED) in text  # € 1.815,00
    assert in_language(language, INVOICE_TOTAL - Decimal("100.00")) in text  # the balance after the automatic payment
    with translation.override(language):
        assert format_date(DAY) in text
    assert not [english for english in ENGLISH if english in text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_match_reads_in_the_users_language(organization, waiting, language):
    words = WORDS[language]

    text = page(reader(organization, language), reverse("banking:match_detail", args=[waiting.pk]))

    assert f"{in_language(language, RECEIVED)} {words['from_payer']}" in text
    assert words["why"] in text and words["two_fit"] in text
    assert words["split_over"] in text and words["reject"] in text
    with translation.override(language):
        assert format_date(DAY, "DATE_FORMAT") in text  # 20 maart 2026, 20 mars 2026
        assert f'placeholder="{format_number(Decimal("0"), 2)}"' in text  # 0,00
    assert not [english for english in ENGLISH if english in text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_decisions_on_a_match_are_told_in_the_users_language(organization, waiting, invoices, language):
    words = WORDS[language]
    client = reader(organization, language)
    confirm = reverse("banking:match_confirm", args=[waiting.pk])

    paid = client.post(confirm, {"invoice": invoices[0].pk}, follow=True)
    again = client.post(confirm, {"invoice": invoices[0].pk}, follow=True)

    paid_text = html.unescape(paid.content.decode())
    assert f"{in_language(language, RECEIVED)} {words['paid_on']} {invoices[0].number}" in paid_text
    assert words["already_applied"] in html.unescape(again.content.decode())
    assert words["applied"] in page(client, reverse("banking:match_detail", args=[waiting.pk]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_split_that_does_not_add_up_is_refused_in_the_users_language(organization, waiting, invoices, language):
    client = reader(organization, language)
    with translation.override(language):
        typed = format_number(Decimal("1000.00"), 2).replace(".", "")  # 1000,00 as a Dutch or French reader types it

    response = client.post(
        reverse("banking:match_split", args=[waiting.pk]),
        {f"amount-{invoices[0].pk}": typed},
        follow=True,
    )

    text = html.unescape(response.content.decode())
    assert f"{WORDS[language]['sum_differs']} {in_language(language, Decimal('1000.00'))}" in text
    assert Match.objects.get(pk=waiting.pk).status == MatchStatus.SUGGESTED
