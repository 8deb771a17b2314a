"""Yuki's SOAP faults are classed by what they mean: only a known refusal is permanent."""

from __future__ import annotations

import pytest
from django.test import Client

from integrations.errors import AuthError, FailureClass, PermanentError, ProviderError, TransientError
from integrations.models import Connection, ConnectionStatus, SyncStatus
from integrations.runner import run_sync
from integrations.yuki import soap
from integrations.yuki.soap import QuotaExceeded, StaleSession
from sandboxes.yuki import YukiSandbox
from tests.integrations.yuki.conftest import link_yuki

UNABLE = "Server was unable to process request. ---> "


@pytest.mark.parametrize(
    ("faultstring", "faultcode", "expected"),
    [
        (f"{UNABLE}Timeout expired", "soap:Server", TransientError),
        (
            f"{UNABLE}Timeout expired.  The timeout period elapsed prior to completion of the operation or the server "
            "is not responding.",
            "soap:Server",
            TransientError,
        ),
        (
            f"{UNABLE}Transaction (Process ID 64) was deadlocked on lock resources with another process and has been "
            "chosen as the deadlock victim. Rerun the transaction.",
            "soap:Server",
            TransientError,
        ),
        (f"{UNABLE}Object reference not set to an instance of an object.", "soap:Server", TransientError),
        (f"{UNABLE}An unexpected error occurred.", "soap:Server", TransientError),
        ("", "soap:Server", TransientError),
        (f"{UNABLE}Value cannot be null. Parameter name: sortOrder", "soap:Server", PermanentError),
        (f"{UNABLE}No tax code for VATPercentage 21 & VATType 9", "soap:Server", PermanentError),
        (f"{UNABLE}Domain is inactive", "soap:Server", PermanentError),
        ("Server was unable to read request. ---> There is an error in XML document.", "soap:Client", PermanentError),
        ("Something we never saw", "soap:Client", PermanentError),
        (f"{UNABLE}Daily limit exceeded", "soap:Server", QuotaExceeded),
        (f"{UNABLE}Invalid access key", "soap:Server", AuthError),
        (f"{UNABLE}Invalid SessionID: the session is unknown or has expired", "soap:Server", StaleSession),
        (f"{UNABLE}Session timed out", "soap:Server", StaleSession),
    ],
)
def test_a_fault_is_classed_by_its_meaning(faultstring: str, faultcode: str, expected: type[ProviderError]):
    error = soap.map_fault(faultstring, faultcode=faultcode)

    assert type(error) is expected


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["sql_timeout", "deadlock", "500"])
def test_a_server_fault_keeps_the_connection_active_and_is_retried(
    owner_client: Client, yuki: YukiSandbox, kind: str, settings
):
    settings.PROVIDER_RETRY_ATTEMPTS = 2
    connection = link_yuki(owner_client, yuki)
    yuki.add_fault({"kind": kind, "operation": "OutstandingDebtorItems", "times": None})

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.FAILED
    assert run.error_class == FailureClass.TRANSIENT
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.last_error_class == FailureClass.TRANSIENT
    assert yuki.faults.describe()[0]["fired"] == 2, "a read is tried again after a server fault"


@pytest.mark.django_db
def test_one_server_timeout_is_absorbed_by_a_second_try(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    yuki.add_fault({"kind": "sql_timeout", "operation": "OutstandingDebtorItems", "times": 1})

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.ACTIVE


@pytest.mark.django_db
def test_a_known_refusal_is_still_permanent(owner_client: Client, yuki: YukiSandbox):
    connection = link_yuki(owner_client, yuki)
    yuki.add_fault(
        {"kind": "500", "operation": "OutstandingDebtorItems", "times": None, "message": "Domain is inactive"}
    )

    run = run_sync(connection.pk)

    assert run is not None and run.error_class == FailureClass.PERMANENT
    assert "Domain is inactive" in run.error_message
    assert yuki.faults.describe()[0]["fired"] == 1, "a refusal is not tried again"
