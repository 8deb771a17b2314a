"""`{% url %}` as Django's, with the URLs that take no arguments memoised (see core.links).

Installed as a template builtin (settings.TEMPLATES), so it replaces the built-in tag in every
template: same syntax, same output, same NoReverseMatch.
"""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as builtin_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from core.links import link

register = template.Library()


def _current_app(context: Context) -> str | None:
    """The namespace the built-in tag reverses in, found the same way."""
    try:
        return context.request.current_app  # type: ignore[attr-defined,no-any-return]
    except AttributeError:
        try:
            return context.request.resolver_match.namespace  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            return None


class LinkNode(URLNode):
    def render(self, context: Context) -> str:
        view_name = self.view_name.resolve(context)
        if self.args or self.kwargs or not isinstance(view_name, str):
            return str(super().render(context))
        try:
            url = link(view_name, _current_app(context))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> LinkNode:
    node = builtin_url(parser, token)
    return LinkNode(node.view_name, node.args, node.kwargs, node.asvar)
