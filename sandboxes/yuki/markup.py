"""Writing XML text fast: escaping, and elements that are empty (`<DueDate />`) when null."""

from __future__ import annotations


def esc(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def el(name: str, value: str | None) -> str:
    """`<Name>value</Name>`, or `<Name />` for a null or empty value, as .NET writes it."""
    if not value:
        return f"<{name} />"
    return f"<{name}>{esc(value)}</{name}>"


def els(pairs: tuple[tuple[str, str | None], ...] | list[tuple[str, str | None]]) -> str:
    return "".join(el(name, value) for name, value in pairs)
