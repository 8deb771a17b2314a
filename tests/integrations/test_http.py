"""ResilientClient's hooks: `parse` makes the caller's result or raises the classified error, and
`retryable` decides what is tried again."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import httpx
import pytest

from integrations.errors import AuthError, PermanentError, ProviderError, QuotaExceeded, TransientError
from integrations.http import ResilientClient, RetryPolicy, classify_status, json_parser

URL = "http://127.0.0.1:9/resource"
ResultT = TypeVar("ResultT")


class Provider:
    """A scripted provider behind httpx's mock transport: one answer per request, in order."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def resilient(
    provider: Provider,
    parse: Callable[[httpx.Response], ResultT],
    *,
    retryable: Callable[[ProviderError], bool] | None = None,
    waits: list[float] | None = None,
) -> ResilientClient[ResultT]:
    hooks = {"retryable": retryable} if retryable is not None else {}
    return ResilientClient(
        httpx.Client(transport=httpx.MockTransport(provider)),
        parse=parse,
        policy=RetryPolicy(attempts=3, base_delay=0, total_cap=60),
        sleep=(waits if waits is not None else []).append,
        **hooks,  # type: ignore[arg-type]
    )


def classify(response: httpx.Response) -> ProviderError:
    return classify_status(response, f"HTTP {response.status_code}")


def test_parse_turns_the_response_into_the_callers_result():
    provider = Provider(httpx.Response(200, text="42", headers={"x-request-id": "req-1"}))
    client = resilient(provider, lambda response: int(response.text))

    assert client.request("GET", URL) == 42
    assert client.request_ids == ["req-1"]


def test_an_error_raised_by_parse_is_retried_when_transient():
    def parse(response: httpx.Response) -> str:
        if response.text == "busy":
            raise TransientError("The provider is busy.", retry_after=4)
        return response.text

    waits: list[float] = []
    provider = Provider(httpx.Response(200, text="busy"), httpx.Response(200, text="done"))

    assert resilient(provider, parse, waits=waits).request("GET", URL) == "done"
    assert provider.requests == 2 and waits == [4]


def test_retryable_keeps_a_transient_error_from_being_retried():
    def parse(response: httpx.Response) -> str:
        raise QuotaExceeded("Today's calls are spent.")

    provider = Provider(httpx.Response(200), httpx.Response(200))
    client = resilient(provider, parse, retryable=lambda error: type(error) is TransientError)

    with pytest.raises(QuotaExceeded, match="spent"):
        client.request("GET", URL)
    assert provider.requests == 1


def test_retryable_decides_for_transport_failures_too():
    provider = Provider(httpx.ConnectError("refused"), httpx.Response(200, text="late"))

    with pytest.raises(TransientError, match="connection to the provider failed"):
        resilient(provider, lambda response: response.text, retryable=lambda error: False).request("GET", URL)
    assert provider.requests == 1


def test_retryable_may_retry_what_is_not_transient_until_the_attempts_run_out():
    def parse(response: httpx.Response) -> str:
        raise PermanentError("Refused.")

    provider = Provider(*[httpx.Response(200) for _ in range(3)])

    with pytest.raises(PermanentError):
        resilient(provider, parse, retryable=lambda error: True).request("GET", URL)
    assert provider.requests == 3


def test_by_default_only_transient_errors_are_retried():
    provider = Provider(httpx.ReadTimeout("slow"), httpx.Response(403), httpx.Response(200, text="{}"))

    with pytest.raises(AuthError):
        resilient(provider, json_parser(classify)).request("GET", URL)
    assert provider.requests == 2


def test_the_json_parser_reads_amounts_as_decimal_and_classifies_error_statuses():
    provider = Provider(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(
            200,
            content=b'{"amount": 12.10, "fee": 0.1000000000000000055511, "big": 1e400, "count": 3}',
            headers={"x-request-id": "req-2"},
        ),
        httpx.Response(204),
    )
    waits: list[float] = []
    client = resilient(provider, json_parser(classify), waits=waits)

    answer = client.request("GET", URL)
    assert answer.data == {
        "amount": Decimal("12.10"),
        "fee": Decimal("0.1000000000000000055511"),
        "big": Decimal("1E+400"),
        "count": 3,
    }
    assert str(answer.data["amount"]) == "12.10" and answer.request_id == "req-2"
    assert waits == [3]
    assert client.request("GET", URL).data is None
    html = Provider(*[httpx.Response(200, content=b"<html>") for _ in range(3)])
    with pytest.raises(TransientError, match="not valid JSON"):
        resilient(html, json_parser(classify)).request("GET", URL)
    assert html.requests == 3


@pytest.mark.parametrize("body", [b'{"amount": NaN}', b'{"amount": 1', b'{"name": "\xff"}', b"\xef\xbb\xbf{}"])
def test_the_json_parser_refuses_what_json_does_not_allow(body: bytes):
    broken = Provider(*[httpx.Response(200, content=body) for _ in range(3)])
    with pytest.raises(TransientError, match="not valid JSON"):
        resilient(broken, json_parser(classify)).request("GET", URL)
