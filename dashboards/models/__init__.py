"""Dashboard state: category rules, daily rollups, recurring flows, reconciliation decisions."""

from __future__ import annotations

from dashboards.models.reconciliation import Allocation, Evidence, Match, MatchStatus
from dashboards.models.recurring import RecurringFlow
from dashboards.models.rollups import CounterpartyRollup, DailyRollup
from dashboards.models.rules import CategoryRule, RuleField, RuleOperator
from dashboards.models.state import DashboardState

__all__ = [
    "Allocation",
    "CategoryRule",
    "CounterpartyRollup",
    "DailyRollup",
    "DashboardState",
    "Evidence",
    "Match",
    "MatchStatus",
    "RecurringFlow",
    "RuleField",
    "RuleOperator",
]
