"""Which backups to keep: the newest few, and the newest of each of the last few weeks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def backups_to_keep(created: Iterable[datetime.datetime], *, daily: int, weekly: int) -> set[datetime.datetime]:
    """The newest `daily`, plus the newest of each of the `weekly` most recent ISO weeks that have one."""
    newest_first = sorted(set(created), reverse=True)
    keep = set(newest_first[:daily])
    weeks_seen: set[tuple[int, int]] = set()
    for moment in newest_first:
        week = moment.isocalendar()[:2]
        if week in weeks_seen:
            continue
        if len(weeks_seen) == weekly:
            break
        weeks_seen.add(week)
        keep.add(moment)
    return keep
