"""Migrations that move data, run on a database holding some."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("dashboards", "0001_initial"), ("integrations", "0006_bankaccount_preferred_source")]
AFTER = [("dashboards", "0002_dashboardstate_reconciled_account_ids")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest() -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_the_accounts_already_reconciled_are_remembered_on_upgrade():
    apps = migrate(BEFORE)
    organization = apps.get_model("core", "Organization").objects.create(name="Acme BV")
    link = apps.get_model("integrations", "Connection").objects.create(organization=organization, provider="ponto")
    account_model = apps.get_model("integrations", "BankAccount")
    read = account_model.objects.create(organization=organization, connection=link, external_id="a", included=True)
    account_model.objects.create(organization=organization, connection=link, external_id="b", included=False)
    apps.get_model("dashboards", "DashboardState").objects.create(organization=organization, reconciled_through_id=9)

    apps = migrate(AFTER)

    state = apps.get_model("dashboards", "DashboardState").objects.get(organization_id=organization.pk)
    assert (state.reconciled_through_id, state.reconciled_account_ids) == (9, [read.pk])
