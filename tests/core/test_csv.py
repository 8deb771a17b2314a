"""The one CSV download helper: its file name, encoding and formula guard apply to every export."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import time_machine
from django.http import StreamingHttpResponse

from core.csv import csv_response


def _body(response: StreamingHttpResponse) -> bytes:
    return b"".join(response)


def _rows_of(response: StreamingHttpResponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8"))))


@time_machine.travel(datetime.datetime(2026, 3, 4, 12, tzinfo=datetime.UTC), tick=False)
def test_download_is_named_after_the_export_and_today():
    response = csv_response("payments", ["date"], [])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payments-20260304.csv"'


def test_header_comes_first_then_one_line_per_row():
    response = csv_response("clients", ["name", "outstanding"], [("Acme", Decimal("12.50")), ("Beta", 0)])
    assert _rows_of(response) == [["name", "outstanding"], ["Acme", "12.50"], ["Beta", "0"]]


def test_text_is_utf8_without_a_byte_order_mark():
    body = _body(csv_response("clients", ["name"], [("Société Générale",)]))
    assert body.startswith(b"name\r\n")
    assert "Société Générale".encode() in body


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted():
    cells = ["=HYPERLINK(1)", "+32", "-cmd", "@SUM(A1)", "\tx", "\rx", "plain"]
    response = csv_response("clients", ["cell"], [(cell,) for cell in cells])
    assert [row[0] for row in _rows_of(response)[1:]] == [
        "'=HYPERLINK(1)",
        "'+32",
        "'-cmd",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
    ]


def test_negative_numbers_stay_numbers():
    response = csv_response("payments", ["amount", "count"], [(Decimal("-12.30"), -3)])
    assert _rows_of(response)[1] == ["-12.30", "-3"]
