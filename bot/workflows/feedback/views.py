"""What the feedback talk's DMs, modals and Home section show: plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.kernel.views import Person


@dataclass(frozen=True)
class ItemLine:
    id: int
    text: str
    owner: str
    due: date
    status: str = "open"
    comment: str | None = None
    member: str = ""  # whose plan it is


@dataclass(frozen=True)
class TalkDM:
    """To the member or a supervisor: the talk scheduled or moved, the day's
    reminder, the notes and plan (member: Acknowledge / Object), the answer."""

    locale: str
    type: str  # talk_scheduled | talk_reminder | talk_plan | talk_acknowledged | talk_objected
    talk_id: int
    period: str
    team_name: str
    member: Person
    supervisor: Person
    for_member: bool
    starts_at: int  # epoch seconds
    local_time: str  # the time in the recipient's zone, e.g. "2026-12-03 15:00 (Asia/Shanghai)"
    place: str | None
    version: int = 1  # of the schedule (talk_scheduled) or the plan (talk_plan)
    notes: str | None = None
    items: list[ItemLine] = field(default_factory=list)
    objection: str | None = None
    open: bool = False  # the member may still answer (talk_plan) / the supervisor may record (reminder)


@dataclass(frozen=True)
class ItemDM:
    """To an item's owner on its due working day: Done / Not yet."""

    locale: str
    item_id: int
    team_name: str
    member: str
    text: str
    due: date
    open: bool


@dataclass(frozen=True)
class ScheduleContext:
    locale: str
    review_id: int
    member: str
    period: str
    team_name: str
    starts_at: int | None  # the current time, when re-scheduling
    place: str | None
    today: date


@dataclass(frozen=True)
class NotesContext:
    locale: str
    talk_id: int
    member: str
    period: str
    team_name: str
    owners: list[Person]  # the member first, then the team's supervisors
    notes: str | None
    items: list[ItemLine]
    objection: str | None
    today: date


@dataclass(frozen=True)
class NotYetContext:
    locale: str
    item_id: int
    text: str
    due: date
    today: date


@dataclass(frozen=True)
class ToSchedule:
    review_id: int
    member: Person
    period: str


@dataclass(frozen=True)
class TalkLine:
    talk_id: int
    member: Person
    period: str
    starts_at: int
    recordable: bool  # it has started and has no notes yet (or was objected to)


@dataclass(frozen=True)
class FeedbackHome:
    """One team's part of Home: own open items and own upcoming talk; for a
    supervisor, the team's open items, talks to schedule and talks to record."""

    my_items: list[ItemLine] = field(default_factory=list)
    my_talks: list[TalkLine] = field(default_factory=list)
    team_items: list[ItemLine] = field(default_factory=list)
    to_schedule: list[ToSchedule] = field(default_factory=list)
    talks: list[TalkLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.my_items or self.my_talks or self.team_items or self.to_schedule or self.talks)
