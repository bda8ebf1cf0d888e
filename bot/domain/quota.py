"""Weekly quotas, prorated for holidays and leave.  Integer arithmetic only."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import week_dates

__all__ = ["QuotaProgress", "prorated_quota", "weekly_quota"]


def prorated_quota(quota: int, working_days_in_week: int, working_days_present: int) -> int:
    """``ceil(quota * present / in_week)``, computed exactly with integers.

    ``present`` is clamped to ``[0, in_week]``; the result is 0 when the week
    has no working days or the person is present on none of them.  Rounding up
    means a short absence does not lower the quota (3 a week, 1 of 5 days away
    -> ceil(12/5) = 3).
    """
    if quota < 0:
        raise ValueError(f"quota must be >= 0, got {quota}")
    if working_days_in_week <= 0:
        return 0
    present = min(max(working_days_present, 0), working_days_in_week)
    if present == 0:
        return 0
    return -(-quota * present // working_days_in_week)


def weekly_quota(
    quota: int,
    calendar: WorkingCalendar,
    monday: date,
    absent_days: Collection[date] = (),
) -> int:
    """The quota owed for the week starting ``monday`` (must be a Monday).

    Only leave is prorated: the week's working days come from ``calendar``, the
    person is present on those not in ``absent_days`` (absences on non-working
    days are ignored).  A week shortened by a public holiday alone owes the full
    quota; a week with no working days owes 0.
    """
    working = [d for d in week_dates(monday) if calendar.is_working_day(d)]
    absent = set(absent_days)
    present = sum(1 for d in working if d not in absent)
    return prorated_quota(quota, len(working), present)


@dataclass(frozen=True, slots=True)
class QuotaProgress:
    """How far someone is with a quota: ``count`` done out of ``quota`` owed."""

    count: int
    quota: int

    @property
    def met(self) -> bool:
        return self.count >= self.quota

    @property
    def remaining(self) -> int:
        """How many are still owed (never negative)."""
        return max(self.quota - self.count, 0)
