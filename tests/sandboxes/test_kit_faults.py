"""The kit's fault of an HTTP API: reading it, matching requests by path and method, counting,
and answering in the vendor's words (or cutting the connection)."""

from __future__ import annotations

import time
from functools import partial

import pytest

from sandboxes.kit.faults import PathFault, PathFaultBook, answer
from sandboxes.kit.web import DropConnection, Response

KINDS = ("429", "500", "timeout", "drop")


def _book() -> PathFaultBook[PathFault]:
    return PathFaultBook(partial(PathFault.parse, kinds=KINDS))


def _vendor_error(kind: str) -> Response:
    return Response(int(kind), f"vendor {kind}".encode(), [("Content-Type", "text/plain")])


def test_a_path_fault_reads_its_description_and_shows_what_it_matches():
    fault = PathFault.parse({"kind": "429", "path": "/v2/payments", "method": "post", "retry_after": 7}, 3, KINDS)
    assert fault.describe() == {
        "id": 3,
        "kind": "429",
        "path": "/v2/payments",
        "method": "POST",
        "retry_after": 7,
        "times": 1,
        "after": 0,
        "seconds": 5.0,
        "seen": 0,
        "fired": 0,
        "exhausted": False,
    }


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"kind": "418"}, "kind must be one of 429, 500, timeout, drop"),
        ({"kind": "500", "path": 1}, "path and method must be strings"),
        ({"kind": "500", "times": 0}, "times must be an integer of at least 1"),
        ({"kind": "timeout", "seconds": 0}, "seconds must be a positive number"),
    ],
)
def test_a_path_fault_with_a_bad_description_is_refused(spec: dict[str, object], error: str):
    with pytest.raises(ValueError, match=error):
        PathFault.parse(spec, 1, KINDS)


def test_a_path_fault_fails_requests_under_its_path_and_method_after_letting_some_through():
    book = _book()
    book.add({"kind": "500", "path": "/v2/payments", "method": "POST", "after": 1, "times": 2})
    assert book.take_for("GET", "/v2/payments") is None  # another method
    assert book.take_for("POST", "/v2/refunds") is None  # another path
    assert book.take_for("POST", "/v2/payments") is None  # let through
    assert [book.take_for("POST", "/v2/payments/tr_1") is not None for _ in range(3)] == [True, True, False]


def test_a_throttling_fault_answers_the_vendors_error_with_the_wait():
    fault = PathFault.parse({"kind": "429", "retry_after": 4}, 1, KINDS)
    response = answer(fault, _vendor_error, retry_header="retry-after")
    assert (response.status, response.body) == (429, b"vendor 429")
    assert response.headers == [("Content-Type", "text/plain"), ("retry-after", "4")]
    assert answer(PathFault.parse({"kind": "500"}, 2, KINDS), _vendor_error).headers == [("Content-Type", "text/plain")]


def test_a_timeout_waits_its_seconds_and_a_drop_does_not_before_the_connection_is_cut():
    started = time.monotonic()
    with pytest.raises(DropConnection):
        answer(PathFault.parse({"kind": "timeout", "seconds": 0.2}, 1, KINDS), _vendor_error)
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    with pytest.raises(DropConnection):
        answer(PathFault.parse({"kind": "drop"}, 2, KINDS), _vendor_error)
    assert time.monotonic() - started < 0.2
