"""Activity rules (docs/PRODUCT.md §2.3): what a proposal and a retrospective may
contain, and when the retrospective is due."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.calendar import WorkingCalendar
from bot.domain.periods import Span, check_day, upcoming
from bot.kernel.errors import N_, InvalidInput

THEME_MAX = 150
FORMAT_MAX = 150
TEXT_MAX = 3000
PARTICIPANTS_MAX = 100
FIGURE_MAX = 1_000_000_000
# A retrospective not in this many working days after the first ask is
# overdue: the supervisor sees it in the pending nudge.
RETRO_OVERDUE_WORKDAYS = 2
FIGURES = ("participants", "engagement", "conversion")

FIELD_THEME = "activity_theme"
FIELD_FORMAT = "activity_format"
FIELD_START = "activity_start"
FIELD_END = "activity_end"
FIELD_PARTICIPANTS = "activity_participants"
FIELD_TARGET = {k: f"target_{k}" for k in FIGURES}
FIELD_RESOURCES = "activity_resources"
FIELD_ACTUAL = {k: f"actual_{k}" for k in FIGURES}
FIELD_WORKED = "retro_worked"
FIELD_DIDNT = "retro_didnt"
FIELD_IMPROVE = "retro_improve"
FIELD_COMMENT = "comment"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


class ActivityStatus(StrEnum):
    PROPOSED = "proposed"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ActivityDraft:
    theme: str
    format: str
    starts_at: datetime | None
    ends_at: datetime | None
    participants: tuple[str, ...] = ()
    targets: dict[str, float | int | None] = field(default_factory=dict)
    resources: str | None = None

    def content(self) -> dict:
        """The draft as stored in a review round (JSON-safe)."""
        return {
            "theme": self.theme, "format": self.format,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "participants": list(self.participants), "targets": dict(self.targets), "resources": self.resources,
        }


def parse_figure(raw: str | None, field_id: str, *, required: bool = True) -> float | int | None:
    """A number typed into a form: whole or decimal, not negative."""
    text = (raw or "").strip().replace(",", "")
    if not text:
        if required:
            raise InvalidInput(N_("Enter a number."), field=field_id)
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(N_("Enter a number, like 200 or 3.5."), field=field_id) from None
    if value != value or value < 0 or value > FIGURE_MAX:
        raise InvalidInput(N_("Enter a number of 0 or more."), field=field_id)
    return int(value) if value.is_integer() else round(value, 4)


def validate_activity(draft: ActivityDraft, *, now: datetime, check_start: bool = True) -> ActivityDraft:
    """Check a proposal; return it tidied. ``check_start`` is off only for a
    resubmission whose start did not change (an activity may have begun)."""
    theme = " ".join(draft.theme.split())
    if not theme or len(theme) > THEME_MAX:
        raise InvalidInput(N_("A theme must be 1–150 characters; this one has {count}."), field=FIELD_THEME,
                           count=len(theme))
    fmt = " ".join(draft.format.split())
    if not fmt or len(fmt) > FORMAT_MAX:
        raise InvalidInput(N_("Say what form the activity takes (1–150 characters)."), field=FIELD_FORMAT)
    if draft.starts_at is None:
        raise InvalidInput(N_("Pick when the activity starts."), field=FIELD_START)
    if draft.ends_at is None:
        raise InvalidInput(N_("Pick when the activity ends."), field=FIELD_END)
    if check_start and draft.starts_at < now:
        raise InvalidInput(N_("The start cannot be in the past."), field=FIELD_START)
    if draft.ends_at <= draft.starts_at:
        raise InvalidInput(N_("The end must be after the start."), field=FIELD_END)
    # Days in UTC: a day's slack either side of the team's zone does not matter this far out.
    latest = upcoming(now.date())
    check_day(draft.starts_at.date(), Span(min(draft.starts_at.date(), latest.first), latest.last), FIELD_START)
    check_day(draft.ends_at.date(), Span(min(draft.ends_at.date(), latest.first), latest.last), FIELD_END)
    if len(draft.participants) > PARTICIPANTS_MAX:
        raise InvalidInput(N_("Pick at most 100 participants."), field=FIELD_PARTICIPANTS)
    if not all(_USER_ID.match(u) for u in draft.participants):
        raise InvalidInput(N_("Pick participants from your Slack workspace."), field=FIELD_PARTICIPANTS)
    resources = (draft.resources or "").strip() or None
    if resources and len(resources) > TEXT_MAX:
        raise InvalidInput(N_("The resources can be at most 3000 characters."), field=FIELD_RESOURCES)
    return ActivityDraft(theme, fmt, draft.starts_at, draft.ends_at, tuple(dict.fromkeys(draft.participants)),
                         {k: draft.targets.get(k) for k in FIGURES}, resources)


@dataclass(frozen=True)
class Retro:
    actuals: dict[str, float | int | None]
    worked: str
    didnt: str
    improve: str

    def as_json(self) -> dict:
        return {"actuals": dict(self.actuals), "worked": self.worked, "didnt": self.didnt, "improve": self.improve}


def validate_retro(retro: Retro) -> Retro:
    texts = {}
    for name, fid in (("worked", FIELD_WORKED), ("didnt", FIELD_DIDNT), ("improve", FIELD_IMPROVE)):
        value = (getattr(retro, name) or "").strip()
        if not value:
            raise InvalidInput(N_("Write a few words here."), field=fid)
        if len(value) > TEXT_MAX:
            raise InvalidInput(N_("At most 3000 characters."), field=fid)
        texts[name] = value
    return Retro(dict(retro.actuals), **texts)


def retro_first_ask_day(end_day: date, calendar: WorkingCalendar) -> date:
    """The first working day after the day the activity ended."""
    return calendar.first_working_day_on_or_after(end_day + timedelta(days=1)) or end_day + timedelta(days=1)


def retro_overdue_day(end_day: date, calendar: WorkingCalendar) -> date:
    """The working day a missing retrospective turns overdue:
    RETRO_OVERDUE_WORKDAYS working days after the first ask."""
    day = retro_first_ask_day(end_day, calendar)
    for _ in range(RETRO_OVERDUE_WORKDAYS):
        day = calendar.first_working_day_on_or_after(day + timedelta(days=1)) or day + timedelta(days=1)
    return day


def comment_required(comment: str | None) -> str:
    text = (comment or "").strip()
    if not text:
        raise InvalidInput(N_("Say what should change; the owner sees your comment."), field=FIELD_COMMENT)
    if len(text) > TEXT_MAX:
        raise InvalidInput(N_("At most 3000 characters."), field=FIELD_COMMENT)
    return text


def format_figure(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"
