"""What ``/opsbot export`` text means: which data, which period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.periods import accepted_span, check_month, check_week, parse_month, parse_week
from bot.kernel.errors import N_, InvalidInput

KINDS = ("topics", "content", "activities", "leave", "reviews", "kudos", "plans", "talks", "training", "goals")


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


def parse_period(text: str, today: date, created: date | None = None) -> Period:
    """``2026-11``, ``2026-W48``, ``month`` / ``week`` (the current one), or
    nothing (this month). A month or week outside the accepted span
    (``bot.domain.periods.accepted_span``: from the team's creation on
    ``created`` to the end of next year) is refused with that span."""
    t = text.strip()
    if t in ("", "month"):
        return month(today)
    if t == "week":
        return week(today)
    span = accepted_span(today, created)
    if (ym := parse_month(t)) is not None:
        return month(check_month(ym, span))
    if (yw := parse_week(t)) is not None:
        return week(check_week(yw, span))
    raise InvalidInput(N_("I did not understand the period “{text}”. Use a month like 2026-11 or a week like 2026-W48."),
                       text=t)


@dataclass(frozen=True)
class ExportCommand:
    kind: str
    period: Period


def parse_export(text: str, today: date, created: date | None = None) -> ExportCommand:
    parts = text.split(maxsplit=1)
    kind = parts[0].lower() if parts else ""
    if kind not in KINDS:
        raise InvalidInput(N_("Export what? Use `/opsbot export topics|content|activities|leave|reviews|kudos|plans|"
                              "talks|training|goals [period]`."))
    return ExportCommand(kind, parse_period(parts[1] if len(parts) > 1 else "", today, created))


@dataclass(frozen=True)
class ReportCommand:
    period: Period
    team: str | None  # a team's name, when the caller named one
    dm: bool  # to the caller by DM rather than to the team channel


def _report_words(text: str) -> tuple[str, str | None, bool]:
    words = text.split()
    if not words:
        raise InvalidInput(N_("Which report? Use `/opsbot report week|month [team] [dm]`."))
    head, rest = words[0].lower(), words[1:]
    dm = bool(rest) and rest[-1].lower() == "dm"
    if dm:
        rest = rest[:-1]
    return head, " ".join(rest) or None, dm


def report_team(text: str) -> str | None:
    """The team a ``/opsbot report`` names, if any, before its period is read."""
    return _report_words(text)[1]


def parse_report(text: str, today: date, created: date | None = None) -> ReportCommand:
    """``week|month|2026-W48|2026-11 [team name] [dm]``; the period comes first."""
    head, team, dm = _report_words(text)
    return ReportCommand(parse_period(head, today, created), team, dm)
