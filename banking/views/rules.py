"""Category rules: list in order, add, change, move, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import ListView, UpdateView

from banking import services
from banking.forms import CategoryRuleForm
from banking.models import CategoryRule
from core.models import Role
from core.permissions import ObjectActionView, OrganizationMixin, acting_user

RULES_URL = "banking:rules"


def _applied(request: HttpRequest, done_now: bool) -> None:
    if done_now:
        messages.success(request, gettext("Rules saved and applied to every transaction."))
    else:
        messages.info(
            request, gettext("Rules saved. They are being applied to your transaction history in the background.")
        )


class RuleListView(OrganizationMixin, ListView[CategoryRule]):
    """The rules in the order they are tried; the form to add one posts here."""

    model = CategoryRule
    template_name = "banking/rules.html"
    context_object_name = "rules"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(form=kwargs.pop("form", None) or CategoryRuleForm(), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CategoryRuleForm(request.POST, instance=CategoryRule(organization=self.organization))
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form), status=400)
        _applied(request, services.save_rule(form.instance, organization=self.organization, actor=acting_user(request)))
        return redirect(RULES_URL)


class RuleUpdateView(OrganizationMixin, UpdateView[CategoryRule, CategoryRuleForm]):
    model = CategoryRule
    form_class = CategoryRuleForm
    template_name = "banking/rule_form.html"

    def form_valid(self, form: CategoryRuleForm) -> HttpResponse:
        done_now = services.save_rule(
            form.instance, organization=self.organization, actor=acting_user(self.request), request=self.request
        )
        _applied(self.request, done_now)
        return redirect(RULES_URL)

    def form_invalid(self, form: CategoryRuleForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RuleDeleteView(ObjectActionView):
    model = CategoryRule
    write_role = Role.FINANCE

    def act(self, request: HttpRequest, obj: Any) -> str | None:
        _applied(request, services.delete_rule(obj, actor=acting_user(request), request=request))
        return None

    def get_success_url(self, obj: Any) -> str:
        return reverse(RULES_URL)


class RuleMoveView(RuleDeleteView):
    offset = 0

    def act(self, request: HttpRequest, obj: Any) -> str | None:
        services.move_rule(obj, self.offset, actor=acting_user(request), request=request)
        return None


class RuleUpView(RuleMoveView):
    offset = -1


class RuleDownView(RuleMoveView):
    offset = 1
