"""Topic rules: what a proposal may contain, and what ``/topic`` text means."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.calendar import WorkingCalendar
from bot.domain.numbers import typed_id
from bot.domain.periods import check_day, upcoming, week_dates
from bot.kernel.errors import N_, InvalidInput

TITLE_MAX = 150
ANGLE_MAX = 3000
FIELD_TITLE = "title"
FIELD_ANGLE = "angle"
FIELD_PLATFORM = "platform"
FIELD_DATE = "publish_date"


class TopicStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class TopicDraft:
    title: str
    angle: str | None = None
    platform: str | None = None
    planned_date: date | None = None


def title_key(title: str) -> str:
    """What makes two titles 'the same' for the duplicate rule."""
    return " ".join(title.split()).casefold()[:TITLE_MAX]


def validate_draft(draft: TopicDraft, *, platforms: list[str], today: date) -> TopicDraft:
    """Check a proposal against the rules; return it tidied (titles stripped)."""
    title = " ".join(draft.title.split())
    if not title or len(title) > TITLE_MAX:
        raise InvalidInput(
            N_("A title must be 1–150 characters; this one has {count}."), field=FIELD_TITLE, count=len(title)
        )
    angle = (draft.angle or "").strip() or None
    if angle and len(angle) > ANGLE_MAX:
        raise InvalidInput(N_("The angle can be at most 3000 characters."), field=FIELD_ANGLE)
    if draft.platform is not None and draft.platform not in platforms:
        raise InvalidInput(N_("Pick one of the team's platforms."), field=FIELD_PLATFORM)
    if draft.planned_date is not None and draft.planned_date < today:
        raise InvalidInput(N_("The planned publish date cannot be in the past."), field=FIELD_DATE)
    if draft.planned_date is not None:
        check_day(draft.planned_date, upcoming(today), FIELD_DATE)
    return TopicDraft(title=title, angle=angle, platform=draft.platform, planned_date=draft.planned_date)


class TopicCommandKind(StrEnum):
    MODAL = "modal"
    PROPOSE = "propose"
    LIST = "list"
    LIST_TEAM = "list_team"
    WITHDRAW = "withdraw"
    HELP = "help"


@dataclass(frozen=True)
class TopicCommand:
    kind: TopicCommandKind
    title: str | None = None
    topic_id: int | None = None


_WITHDRAW = re.compile(r"^withdraw\s+#?(\d{1,12})$")


def parse_topic_command(text: str) -> TopicCommand:
    """Only the exact subcommand forms are subcommands; any other text is a title."""
    stripped = text.strip()
    if not stripped:
        return TopicCommand(TopicCommandKind.MODAL)
    if stripped == "help":
        return TopicCommand(TopicCommandKind.HELP)
    if stripped == "list":
        return TopicCommand(TopicCommandKind.LIST)
    if " ".join(stripped.split()) == "list team":
        return TopicCommand(TopicCommandKind.LIST_TEAM)
    m = _WITHDRAW.match(stripped)
    if m:
        return TopicCommand(TopicCommandKind.WITHDRAW, topic_id=typed_id(m.group(1)))
    return TopicCommand(TopicCommandKind.PROPOSE, title=stripped)


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
