from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from banking.demo import DEMO_RULES
from banking.models import BankTransaction, CategoryRule
from core.management.commands.seed_demo import DEMO_ORGANIZATION
from core.models import Organization
from tests.factories import add_transactions, make_bank_account

pytestmark = pytest.mark.django_db


def test_demo_rules_categorise_the_sandbox_kinds_of_transaction(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    organization = Organization.objects.get(name=DEMO_ORGANIZATION)
    account = make_bank_account(organization)
    day = datetime.date(2026, 5, 25)
    add_transactions(
        account, (day, "-2841.37"), counterpart_name="Sofie Janssens", remittance_information="Loon mei 2026"
    )
    add_transactions(
        account, (day, "-1850.00"), counterpart_name="Immo Zuidpark NV", remittance_information="Huur kantoor 05/2026"
    )
    add_transactions(
        account, (day, "1438.21"), counterpart_name="Garage Claes NV", remittance_information="+++090/9337/55493+++"
    )
    add_transactions(account, (day, "-64.50"), counterpart_name="Telenet BV", remittance_information="Factuur 202605")
    add_transactions(account, (day, "-31.20"), counterpart_name="COLRUYT HALLE")
    call_command("seed_demo_rules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo_rules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CategoryRule.objects.filter(organization=organization).count() == len(DEMO_RULES)
    assert dict(BankTransaction.objects.values_list("counterpart_name", "category")) == {
        "Sofie Janssens": "Salaries",
        "Immo Zuidpark NV": "Rent",
        "Garage Claes NV": "Customer payments",
        "Telenet BV": "Telecom & software",
        "COLRUYT HALLE": "Small purchases",
    }
