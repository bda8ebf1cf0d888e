"""When recurring posts and reminders are due.

Pure rules: every function takes the instant it reasons about.  Zones: a job
is evaluated against a sequence of zones whose FIRST element is the team's
zone — it decides which week/day "now" is in and, with the team's calendar,
the due date.  The other zones are recipients' own zones: a reminder goes out
at the configured wall-clock hour in each recipient's zone, on the team's due
date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import local_date, local_instant, week_dates, week_start

__all__ = [
    "DailySpec",
    "Shift",
    "WeeklySpec",
    "daily_due",
    "next_daily_run",
    "next_weekly_run",
    "parse_daily",
    "parse_weekly",
    "weekly_due_date",
]

WEEKDAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

#: How many weeks / days ahead the ``next_*_run`` functions look.
WEEKS_AHEAD = 10
DAYS_AHEAD = 30

_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_WEEKLY_RE = re.compile(r"([A-Za-z]+)\s+(\S+)")


@dataclass(frozen=True, slots=True)
class WeeklySpec:
    """Once a week: ``weekday`` 0=Monday..6=Sunday, at wall-clock time ``at``."""

    weekday: int
    at: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.at.tzinfo is not None:
            raise ValueError("the time of a schedule is a naive wall-clock time")

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday]} {self.at:%H:%M}"


@dataclass(frozen=True, slots=True)
class DailySpec:
    """Every working day at wall-clock time ``at``."""

    at: time

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise ValueError("the time of a schedule is a naive wall-clock time")

    def __str__(self) -> str:
        return f"{self.at:%H:%M}"


def _parse_time(text: str, whole: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid time {text!r} in {whole!r}: expected 24-hour HH:MM, e.g. 10:00")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"invalid time {text!r} in {whole!r}: hours are 00-23 and minutes 00-59")
    return time(hour, minute)


def parse_weekly(text: str) -> WeeklySpec:
    """Parse ``"MON 10:00"``: a three-letter English day name (any case) and a 24-hour ``HH:MM``."""
    if not isinstance(text, str):
        raise ValueError(f"expected a weekly schedule like 'MON 10:00', got {text!r}")
    match = _WEEKLY_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid weekly schedule {text!r}: expected a day and a time, e.g. 'MON 10:00'")
    day, at = match[1].upper(), match[2]
    if day not in WEEKDAY_NAMES:
        raise ValueError(f"invalid day {match[1]!r} in {text!r}: expected one of {', '.join(WEEKDAY_NAMES)}")
    return WeeklySpec(WEEKDAY_NAMES.index(day), _parse_time(at, text))


def parse_daily(text: str) -> DailySpec:
    """Parse ``"10:00"``: a 24-hour ``HH:MM``."""
    if not isinstance(text, str):
        raise ValueError(f"expected a daily schedule like '10:00', got {text!r}")
    return DailySpec(_parse_time(text.strip(), text))


class Shift(Enum):
    """Where a weekly job goes when its day is not a working day.

    ``EARLIER`` — reminders and deadlines: the last working day before it in the
    same week, else the first working day after it in the same week.
    ``LATER`` — start-of-period posts (e.g. the weekly plan): the first working
    day after it in the same week, else the last working day before it.
    """

    EARLIER = "earlier"
    LATER = "later"


def weekly_due_date(spec: WeeklySpec, monday: date, calendar: WorkingCalendar, shift: Shift) -> date | None:
    """The date in the week starting ``monday`` on which the job is due, or ``None``.

    ``None`` only when the week has no working day at all.  The job never moves
    out of its week.
    """
    days = week_dates(monday)
    nominal = days[spec.weekday]
    if calendar.is_working_day(nominal):
        return nominal
    before = [d for d in days[: spec.weekday] if calendar.is_working_day(d)]
    after = [d for d in days[spec.weekday + 1 :] if calendar.is_working_day(d)]
    if shift is Shift.EARLIER:
        return before[-1] if before else (after[0] if after else None)
    return after[0] if after else (before[-1] if before else None)


def daily_due(d: date, calendar: WorkingCalendar) -> bool:
    """Whether a daily job runs on ``d``: working days only."""
    return calendar.is_working_day(d)


def _require_zones(zones: Sequence[ZoneInfo]) -> ZoneInfo:
    if not zones:
        raise ValueError("at least one zone (the team's) is required")
    return zones[0]


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {instant!r}")


def _earliest_after(
    dates: list[date], at: time, zones: Sequence[ZoneInfo], after: datetime
) -> datetime | None:
    candidates = [local_instant(d, at, z) for d in dates for z in zones]
    later = [c for c in candidates if c > after]
    return min(later) if later else None


def next_weekly_run(
    spec: WeeklySpec,
    calendar: WorkingCalendar,
    shift: Shift,
    zones: Sequence[ZoneInfo],
    after: datetime,
) -> datetime | None:
    """The earliest aware-UTC instant strictly after ``after`` at which the job is due in any zone.

    ``zones[0]`` is the team's zone, the rest are recipients' own zones.  For each
    week — from the week before the one containing ``after`` in the team's zone,
    :data:`WEEKS_AHEAD` weeks on — the due date comes from :func:`weekly_due_date`
    with the team's calendar, and the job fires at ``spec.at`` on that date in
    *each* zone (so a New York recipient of a Shanghai team is reminded at 10:00
    New York time on the team's due date).  ``None`` if nothing is due in that window.
    """
    _require_aware(after)
    team_zone = _require_zones(zones)
    first_monday = week_start(local_date(after, team_zone)) - timedelta(weeks=1)
    due_dates = []
    for k in range(WEEKS_AHEAD + 1):
        due = weekly_due_date(spec, first_monday + timedelta(weeks=k), calendar, shift)
        if due is not None:
            due_dates.append(due)
    return _earliest_after(due_dates, spec.at, zones, after)


def next_daily_run(
    spec: DailySpec,
    calendar: WorkingCalendar,
    zones: Sequence[ZoneInfo],
    after: datetime,
) -> datetime | None:
    """The earliest aware-UTC instant strictly after ``after`` at which a daily job is due in any zone.

    ``zones[0]`` is the team's zone, the rest are recipients' own zones; the job
    runs at ``spec.at`` in each zone on every working day of the team's calendar,
    looking from the day before ``after``'s date in the team's zone to
    :data:`DAYS_AHEAD` days later.  ``None`` if no working day falls in that window.
    """
    _require_aware(after)
    team_zone = _require_zones(zones)
    today = local_date(after, team_zone)
    days = [today + timedelta(days=k) for k in range(-1, DAYS_AHEAD + 1)]
    return _earliest_after([d for d in days if daily_due(d, calendar)], spec.at, zones, after)


#: How many months ahead :func:`next_month_end_run` looks.
MONTHS_AHEAD = 13


def next_month_end_run(
    spec: DailySpec,
    calendar: WorkingCalendar,
    zones: Sequence[ZoneInfo],
    after: datetime,
    months: Sequence[int] = tuple(range(1, 13)),
) -> datetime | None:
    """The earliest aware-UTC instant strictly after ``after`` at which a
    month-end job is due in any zone: ``spec.at`` on the last working day of
    each of ``months`` (1..12) in the team's calendar, in each zone.

    Looks from the month before ``after``'s (in the team's zone, ``zones[0]``)
    to :data:`MONTHS_AHEAD` months on; ``None`` if nothing falls in that window.
    """
    _require_aware(after)
    team_zone = _require_zones(zones)
    today = local_date(after, team_zone)
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    days = []
    for _ in range(MONTHS_AHEAD + 1):
        if month in months:
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            end = following - timedelta(days=1)
            days.append(calendar.last_working_day_on_or_before(end, floor=date(year, month, 1)) or end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _earliest_after(days, spec.at, zones, after)
