"""The kit's own pieces that the simulators' tests do not pin down by themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pytest

from sandboxes.kit.references import structured_reference
from sandboxes.kit.routing import mount

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


@pytest.mark.parametrize(
    ("base", "reference"),
    [
        (1, "+++000/0000/00101+++"),
        (194, "+++000/0000/19497+++"),  # a multiple of 97 has check digits 97, not 00
        (2026_000_123, "+++202/6000/12320+++"),
        (9_999_999_999, "+++999/9999/99948+++"),
    ],
)
def test_a_structured_reference_carries_the_base_modulo_97(base: int, reference: str):
    assert structured_reference(base) == reference


@pytest.mark.parametrize("base", [0, 10**10])
def test_a_structured_reference_needs_one_to_ten_digits(base: int):
    with pytest.raises(ValueError, match="at most ten digits"):
        structured_reference(base)


def _answering(name: str) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return [name.encode()]

    return app


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[[bytes], object]:
    return lambda data: None


def test_one_port_sends_a_path_under_a_prefix_to_its_sandbox_and_the_rest_to_the_default():
    app = mount(_answering("ponto"), {"/yuki/": _answering("yuki")})

    def answer(path: str) -> bytes:
        return b"".join(app({"PATH_INFO": path}, _start_response))

    assert answer("/yuki/be/ws/Accounting.asmx") == b"yuki"
    assert answer("/ponto-connect/accounts") == b"ponto"
    assert answer("/yukiworks") == b"ponto"
