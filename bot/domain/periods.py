"""Weeks, months and wall-clock instants in a team's time zone.

Pure functions: the instant being reasoned about is always an argument.  Every
``datetime`` accepted must be aware; every ``datetime`` returned is aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.numbers import ascii_digits
from bot.kernel.errors import N_, InvalidInput

__all__ = [
    "EARLIEST",
    "Span",
    "accepted_span",
    "check_day",
    "check_month",
    "check_week",
    "local_date",
    "local_instant",
    "month_bounds",
    "month_label",
    "parse_month",
    "parse_week",
    "upcoming",
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


# -- the weeks, months and dates a person may name ----------------------------------
#
# Decided once for every command and form (issue 16, "periods are bounded"): a
# typed week, month or date is accepted from the team's creation (its first week
# or month, reckoned in its zone; EARLIEST when it is not known) to 31 December
# of the year after today. Before the team existed there is no data, no report
# and no review; past next year nothing is planned yet (leave, a publish date,
# next year's targets all fit); and near year 1 or 9999 date arithmetic
# overflows. Digits of any script are read as the number they are
# (``bot.domain.numbers.ascii_digits``), so a period is always stored in ASCII.

EARLIEST = date(2000, 1, 1)

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{2})")


@dataclass(frozen=True)
class Span:
    """The dates a person may name: ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def months(self) -> tuple[str, str]:
        return month_label(self.first.year, self.first.month), month_label(self.last.year, self.last.month)

    @property
    def weeks(self) -> tuple[str, str]:
        return week_id(week_start(self.first)), week_id(week_start(self.last))


def accepted_span(today: date, created: date | None = None) -> Span:
    """The span for a team created on ``created`` (its local date), seen on ``today``."""
    first = min(created, today) if created is not None else EARLIEST
    return Span(first, date(today.year + 1, 12, 31))


def upcoming(today: date) -> Span:
    """The dates a plan may name (leave, a publish date, an activity): today
    to the end of the accepted span."""
    return Span(today, accepted_span(today).last)


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month), in any script's digits; None if it is not that shape."""
    m = _MONTH.fullmatch(ascii_digits(text.strip()))
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return int(m[1]), int(m[2])


def parse_week(text: str) -> tuple[int, int] | None:
    """``YYYY-Www`` (or ``YYYYWww``) as (ISO year, week); None if it is not that shape."""
    m = _WEEK.fullmatch(ascii_digits(text.strip()))
    if not m or not 1 <= int(m[2]) <= 53:
        return None
    return int(m[1]), int(m[2])


def check_month(year_month: tuple[int, int], span: Span) -> date:
    """The first day of the month, or a refusal that names the accepted months."""
    first, last = span.first, span.last
    if not (first.year, first.month) <= year_month <= (last.year, last.month):
        raise InvalidInput(N_("{period} is out of range: give a month from {first} to {last}."),
                           period=month_label(*year_month), first=span.months[0], last=span.months[1])
    return date(year_month[0], year_month[1], 1)


def check_week(year_week: tuple[int, int], span: Span) -> date:
    """The Monday of the ISO week, or a refusal that names the accepted weeks."""
    try:
        monday: date | None = date.fromisocalendar(year_week[0], year_week[1], 1)
    except ValueError:  # year 0, or week 53 of a 52-week year
        monday = None
    if monday is None or not week_start(span.first) <= monday <= week_start(span.last):
        raise InvalidInput(N_("{period} is out of range: give a week from {first} to {last}."),
                           period=f"{year_week[0]:04d}-W{year_week[1]:02d}", first=span.weeks[0],
                           last=span.weeks[1])
    return monday


def check_day(day: date, span: Span, field: str | None = None) -> date:
    """``day`` when it lies in ``span``, else a field error naming the span."""
    if not span.first <= day <= span.last:
        raise InvalidInput(N_("Pick a date from {first} to {last}."), field=field,
                           first=span.first.isoformat(), last=span.last.isoformat())
    return day


def is_zone(name: object) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows. Anything else
    (a typo, a path, a name too long for the file system) is simply not one."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
