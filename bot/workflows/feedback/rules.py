"""The feedback talk's rules: pure validation of what a supervisor or an
owner typed. Each error names the modal block it belongs to, so Slack shows it
under that field and keeps everything else that was typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import WorkingCalendar
from bot.kernel.errors import N_, InvalidInput

MAX_ITEMS = 5
NOTES_MAX = 3000
ITEM_MAX = 300
PLACE_MAX = 200
COMMENT_MAX = 2000

FIELD_TALK_AT = "fb_talk_at"
FIELD_TALK_PLACE = "fb_talk_place"
FIELD_NOTES = "fb_notes"
FIELD_OBJECTION = "fb_objection"
FIELD_FOLLOWUP_COMMENT = "fb_followup_comment"
FIELD_FOLLOWUP_DUE = "fb_followup_due"


def field_item(n: int, part: str) -> str:
    """The block of row ``n`` (1..MAX_ITEMS) of the plan: ``text``, ``owner`` or ``due``."""
    return f"fb_item_{n}_{part}"


class TalkStatus:
    SCHEDULED = "scheduled"
    RECORDED = "recorded"  # notes and plan sent to the member
    ACKNOWLEDGED = "acknowledged"
    OBJECTED = "objected"


# Where each step may start from (conditional UPDATEs: two clicks settle to one outcome).
RESCHEDULABLE = (TalkStatus.SCHEDULED,)
RECORDABLE = (TalkStatus.SCHEDULED, TalkStatus.OBJECTED)  # the first record, or a revision after an objection
ANSWERABLE = (TalkStatus.RECORDED,)


@dataclass(frozen=True)
class ItemRow:
    """One row of the plan as typed: any part may be missing."""

    text: str | None
    owner: str | None
    due: date | None


@dataclass(frozen=True)
class ItemDraft:
    text: str
    owner: str
    due: date


def check_text(raw: str | None, field: str, limit: int, *, required: bool = True) -> str | None:
    text = (raw or "").strip()
    if not text:
        if required:
            raise InvalidInput(N_("Please fill this in."), field=field)
        return None
    if len(text) > limit:
        raise InvalidInput(N_("At most {n} characters, please."), field=field, n=limit)
    return text


def check_talk_time(starts_at: datetime | None, now: datetime) -> datetime:
    if starts_at is None:
        raise InvalidInput(N_("Pick a date and time for the talk."), field=FIELD_TALK_AT)
    if starts_at <= now:
        raise InvalidInput(N_("Pick a time in the future."), field=FIELD_TALK_AT)
    return starts_at


def check_talk_day(day: date, calendar: WorkingCalendar, away: dict[str, set[date]], *, member: str,
                   member_name: object, scheduler: str) -> None:
    """A talk is held on a working day of the team's calendar (调休 Saturdays
    are working days), when neither the member nor the supervisor who
    schedules it is on approved leave. ``day`` is the talk's date in the
    team's zone, as leave days are; ``away`` is who is on leave when
    (``days_away``); ``member_name`` is how the member is named."""
    if not calendar.is_working_day(day):
        raise InvalidInput(N_("{day} is not a working day in the team's calendar: pick another day."),
                           field=FIELD_TALK_AT, day=day.isoformat())
    if day in away.get(member, ()):
        raise InvalidInput(N_("{user} is on leave that day ({day}): pick another day."), field=FIELD_TALK_AT,
                           user=member_name, day=day.isoformat())
    if scheduler != member and day in away.get(scheduler, ()):
        raise InvalidInput(N_("You are on leave that day ({day}): pick another day."), field=FIELD_TALK_AT,
                           day=day.isoformat())


def check_rows(rows: list[ItemRow], *, today: date, owners: set[str]) -> list[ItemDraft]:
    """The filled rows of the plan. A row with only part of it filled is an
    error on the part that is missing; an owner who is neither the member nor
    a supervisor of the team (a forged value) is refused on that row."""
    out: list[ItemDraft] = []
    for n, row in enumerate(rows[:MAX_ITEMS], start=1):
        text = (row.text or "").strip()
        if not text and row.due is None:
            continue
        if not text:
            raise InvalidInput(N_("Describe this item, or clear its due date."), field=field_item(n, "text"))
        if len(text) > ITEM_MAX:
            raise InvalidInput(N_("At most {n} characters, please."), field=field_item(n, "text"), n=ITEM_MAX)
        if row.due is None:
            raise InvalidInput(N_("Pick a due date for this item."), field=field_item(n, "due"))
        if row.due < today:
            raise InvalidInput(N_("The due date cannot be in the past."), field=field_item(n, "due"))
        if row.owner not in owners:
            raise InvalidInput(N_("The owner must be the member or a supervisor of the team."),
                               field=field_item(n, "owner"))
        out.append(ItemDraft(text, row.owner, row.due))
    return out


def check_new_due(due: date | None, today: date) -> date:
    if due is None:
        raise InvalidInput(N_("Pick the date to ask again."), field=FIELD_FOLLOWUP_DUE)
    if due <= today:
        raise InvalidInput(N_("Pick a day after today."), field=FIELD_FOLLOWUP_DUE)
    return due


def ask_day(due: date, calendar: WorkingCalendar) -> date:
    """The working day an item due on ``due`` is asked about: that day, or the
    next working day in the team's calendar (调休 Saturdays are working days)."""
    day = due
    for _ in range(60):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    return due
