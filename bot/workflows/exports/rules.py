"""What ``/opsbot export`` text means: which data, which period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.kernel.errors import N_, InvalidInput

KINDS = ("topics", "content", "activities", "leave", "reviews")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A calendar month or ISO week, as the team's calendar names it."""

    kind: str  # month | week
    first: date  # the 1st of the month, or the Monday
    label: str  # 2026-11 | 2026-W48


def month(d: date) -> Period:
    first = d.replace(day=1)
    return Period("month", first, f"{first:%Y-%m}")


def week(d: date) -> Period:
    iso = d.isocalendar()
    monday = date.fromisocalendar(iso.year, iso.week, 1)
    return Period("week", monday, f"{iso.year:04d}-W{iso.week:02d}")


def parse_period(text: str, today: date) -> Period:
    """``2026-11``, ``2026-W48``, ``month`` / ``week`` (the current one), or
    nothing (this month)."""
    t = text.strip()
    if t in ("", "month"):
        return month(today)
    if t == "week":
        return week(today)
    if m := _MONTH.match(t):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and 2000 <= y <= 2100:
            return month(date(y, mo, 1))
    if m := _WEEK.match(t):
        try:
            return week(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        except ValueError:
            pass
    raise InvalidInput(N_("I did not understand the period “{text}”. Use a month like 2026-11 or a week like 2026-W48."),
                       text=t)


@dataclass(frozen=True)
class ExportCommand:
    kind: str
    period: Period


def parse_export(text: str, today: date) -> ExportCommand:
    parts = text.split(maxsplit=1)
    kind = parts[0].lower() if parts else ""
    if kind not in KINDS:
        raise InvalidInput(N_("Export what? Use `/opsbot export topics|content|activities|leave|reviews [period]`."))
    return ExportCommand(kind, parse_period(parts[1] if len(parts) > 1 else "", today))


@dataclass(frozen=True)
class ReportCommand:
    period: Period
    team: str | None  # a team's name, when the caller named one
    dm: bool  # to the caller by DM rather than to the team channel


def parse_report(text: str, today: date) -> ReportCommand:
    """``week|month|2026-W48|2026-11 [team name] [dm]``; the period comes first."""
    words = text.split()
    if not words:
        raise InvalidInput(N_("Which report? Use `/opsbot report week|month [team] [dm]`."))
    head, rest = words[0].lower(), words[1:]
    period = parse_period(head, today)
    dm = bool(rest) and rest[-1].lower() == "dm"
    if dm:
        rest = rest[:-1]
    return ReportCommand(period, " ".join(rest) or None, dm)
