"""Bank transactions, category rules and the reconciliation review, under the dashboard's paths."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from banking.views import reconciliation, rules, transactions

app_name = "banking"

urlpatterns: list[URLPattern | URLResolver] = [
    path("transactions/", transactions.TransactionListView.as_view(), name="transactions"),
    path("transactions/totals/", transactions.TransactionTotalsView.as_view(), name="transaction_totals"),
    path("transactions.csv", transactions.TransactionCsvView.as_view(), name="transactions_csv"),
    path("transactions/<int:pk>/", transactions.TransactionDetailView.as_view(), name="transaction_detail"),
    path(
        "transactions/<int:pk>/category/",
        transactions.CategorizeTransactionView.as_view(),
        name="transaction_categorize",
    ),
    path("transactions/<int:pk>/rule/", transactions.RuleFromTransactionView.as_view(), name="transaction_rule"),
    path("rules/", rules.RuleListView.as_view(), name="rules"),
    path("rules/<int:pk>/", rules.RuleUpdateView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/delete/", rules.RuleDeleteView.as_view(), name="rule_delete"),
    path("rules/<int:pk>/up/", rules.RuleUpView.as_view(), name="rule_up"),
    path("rules/<int:pk>/down/", rules.RuleDownView.as_view(), name="rule_down"),
    path("reconciliation/", reconciliation.reconciliation_list, name="reconciliation"),
    path("reconciliation/<int:pk>/", reconciliation.MatchDetailView.as_view(), name="match_detail"),
    path("reconciliation/<int:pk>/confirm/", reconciliation.ConfirmMatchView.as_view(), name="match_confirm"),
    path("reconciliation/<int:pk>/split/", reconciliation.SplitMatchView.as_view(), name="match_split"),
    path("reconciliation/<int:pk>/reject/", reconciliation.RejectMatchView.as_view(), name="match_reject"),
    path("reconciliation/<int:pk>/reverse/", reconciliation.ReverseMatchView.as_view(), name="match_reverse"),
]
