"""Weeks, months and wall-clock instants in a team's time zone.

Pure functions: the instant being reasoned about is always an argument.  Every
``datetime`` accepted must be aware; every ``datetime`` returned is aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "local_date",
    "local_instant",
    "month_bounds",
    "week_bounds",
    "week_dates",
    "week_id",
    "week_start",
]

_MIDNIGHT = time(0, 0)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {instant!r}")


def _require_monday(monday: date) -> None:
    if monday.weekday() != 0:
        raise ValueError(f"{monday.isoformat()} is a {monday.strftime('%A')}, expected a Monday")


def week_start(d: date) -> date:
    """The Monday of the ISO week containing ``d``."""
    return d - timedelta(days=d.weekday())


def week_dates(monday: date) -> list[date]:
    """The seven dates Monday..Sunday of the week starting on ``monday`` (must be a Monday)."""
    _require_monday(monday)
    return [monday + timedelta(days=i) for i in range(7)]


def week_id(monday: date) -> str:
    """ISO year-week label, e.g. ``"2026-W48"``.

    Uses the ISO week-numbering year, so 2024-12-30 is ``"2025-W01"``.  Any
    date of the week gives the same label.
    """
    iso = monday.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar date in ``tz`` at ``instant``."""
    _require_aware(instant)
    return instant.astimezone(tz).date()


def local_instant(d: date, t: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which clocks in ``tz`` show wall time ``t`` on date ``d``.

    * A wall time that does not exist (a DST gap) is moved forward by the size of
      the gap: 02:30 on a spring-forward day in America/New_York is 03:30 EDT.
    * A wall time that occurs twice (a DST fold) resolves to the first occurrence.

    Both follow from interpreting the wall time with ``fold=0`` (PEP 495): the
    offset in force *before* the transition is used.  ``t`` must be naive.
    """
    if t.tzinfo is not None:
        raise ValueError(f"expected a naive wall time, got {t!r}")
    wall = datetime.combine(d, t.replace(fold=0), tzinfo=tz)
    return wall.astimezone(UTC)


def _date_changes(d: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The earliest and the latest UTC instant at which the local date in ``tz`` turns to ``d`` or later.

    Normally both are simply ``local_instant(d, 00:00, tz)``.  They differ only
    where a DST change straddles midnight:

    * a gap that swallows 00:00 without starting at it (e.g. 23:30 -> 00:30):
      the date changes at the transition itself, before ``local_instant``'s
      forward-moved 01:00 — both values are the transition (for a gap starting
      exactly at 00:00 that is local_instant's answer anyway);
    * a fold that repeats the end of the previous day (e.g. America/St_Johns
      before 2011: 00:01 -> 23:01): the date turns to ``d`` at the first 00:00,
      goes back to the previous day, and turns to ``d`` again at the second 00:00.
    """
    first = local_instant(d, _MIDNIGHT, tz)
    second = datetime.combine(d, _MIDNIGHT.replace(fold=1), tzinfo=tz).astimezone(UTC)
    if second < first:
        # 00:00 is in a gap: ``second`` (post-transition offset) lies before the
        # transition, ``first`` after it.  Find the transition.
        lo, hi = second, first
        step = timedelta(microseconds=1)
        while hi - lo > step:
            mid = lo + (hi - lo) // 2
            if local_date(mid, tz) >= d:
                hi = mid
            else:
                lo = mid
        return hi, hi
    if second > first and local_date(second - timedelta(microseconds=1), tz) < d:
        return first, second
    return first, first


def _bounds(first: date, following: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return _date_changes(first, tz)[0], _date_changes(following, tz)[1]


def week_bounds(instant: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the local (Monday-based) week containing ``instant`` in ``tz``.

    ``start`` is Monday 00:00 local and ``end`` the next Monday 00:00 local, as
    given by :func:`local_instant`.  Invariant: ``start <= instant < end`` for
    every instant and zone.  A week is 167 or 169 hours long across a DST change;
    a midnight DST change (America/Santiago, America/Havana, America/Asuncion...)
    makes the missing 00:00 resolve to the first instant of the day.  In the rare
    zones where a change *straddles* midnight (a gap like 23:30 -> 00:30, or
    America/St_Johns' pre-2011 fold 00:01 -> 23:01) the bounds are the instants
    the local date actually changes — then adjacent periods overlap by the
    repeated time, which the invariant requires.
    """
    monday = week_start(local_date(instant, tz))
    return _bounds(monday, monday + timedelta(days=7), tz)


def month_bounds(instant: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the local calendar month containing ``instant`` in ``tz``.

    First of the month 00:00 local to first of the next month 00:00 local, with
    the same invariant and edge rules as :func:`week_bounds`.
    """
    today = local_date(instant, tz)
    first = today.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return _bounds(first, following, tz)
