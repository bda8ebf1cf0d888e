"""What a notice shows, as plain data: loaded from the store at delivery
time by ``bot/notices.py`` and turned into Block Kit by ``handlers/render.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None

    def label(self, mention: bool) -> str:
        """How a person appears in text: a mention only where mentions are on."""
        if mention or not self.name:
            return f"<@{self.user_id}>"
        return self.name


@dataclass(frozen=True)
class TopicLine:
    id: int
    title: str
    status: str
    author: Person
    team_name: str = ""


@dataclass(frozen=True)
class TopicCardView:
    locale: str
    topic_id: int
    team_name: str
    title: str
    angle: str | None
    platform: str | None
    planned_date: date | None
    author: Person
    status: str
    decided_by: Person | None
    decided_at: int | None  # epoch seconds, shown in each reader's own zone
    reason: str | None
    count: int
    quota: int
    mention: bool = False


@dataclass(frozen=True)
class TopicDecidedDM:
    locale: str
    topic_id: int
    title: str
    status: str
    decided_by: str
    reason: str | None
    team_name: str


@dataclass(frozen=True)
class ProposalConfirmation:
    locale: str
    topic_id: int
    title: str
    team_name: str
    count: int
    quota: int
    chosen_by_default: bool = False


@dataclass(frozen=True)
class QuotaReminderDM:
    locale: str
    team_id: int
    team_name: str
    count: int
    quota: int
    due: int  # epoch seconds of the week's summary
    job: str
    period: str
    snoozed: bool = False


@dataclass(frozen=True)
class QuotaSummaryRow:
    person: Person
    count: int
    quota: int

    @property
    def met(self) -> bool:
        return self.count >= self.quota


@dataclass(frozen=True)
class QuotaSummaryPost:
    locale: str
    team_name: str
    week: str
    rows: list[QuotaSummaryRow]
    mention: bool


@dataclass(frozen=True)
class WeeklyPlanPost:
    locale: str
    team_name: str
    week: str
    carried_over: list[TopicLine]
    this_week: list[TopicLine]
    mention: bool


@dataclass(frozen=True)
class PendingItem:
    topic_id: int  # the item's id, whatever its kind
    title: str
    author: Person
    waiting_hours: int
    kind: str = "topic"


@dataclass(frozen=True)
class PendingNudgeDM:
    locale: str
    team_name: str
    channel: str
    items: list[PendingItem]
    job: str
    period: str
    team_id: int


@dataclass(frozen=True)
class NotInChannelDM:
    locale: str
    team_name: str
    channel: str


@dataclass(frozen=True)
class DeactivatedMemberDM:
    locale: str
    team_name: str
    member: Person


@dataclass(frozen=True)
class HomeTeam:
    team_name: str
    count: int
    quota: int
    topics: list[TopicLine]
    is_supervisor: bool
    pending: list[TopicLine] = field(default_factory=list)


@dataclass(frozen=True)
class HomeView:
    locale: str
    user_id: str
    teams: list[HomeTeam]


@dataclass(frozen=True)
class ExportFile:
    """A CSV of a team's data for a period, for one supervisor."""

    locale: str
    kind: str  # topics | content | activities | leave | reviews
    team_name: str
    period: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class ReportRow:
    person: Person
    proposed: int  # topics proposed in the period's weeks
    quota: int  # the quota owed over those weeks (prorated for leave)
    approved: int
    drafts_approved: int
    publications: int
    reads: int
    likes: int
    comments: int
    shares: int
    activities: int


@dataclass(frozen=True)
class ReportView:
    """A team's week or month: a chart and its summary, in one message."""

    locale: str
    team_name: str
    period: str
    kind: str  # week | month
    rows: list[ReportRow]
    mention: bool
