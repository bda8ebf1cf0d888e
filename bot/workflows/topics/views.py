"""What the topic notices show: plain data for the Slack side to render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.kernel.views import Person


@dataclass(frozen=True)
class TopicLine:
    id: int
    title: str
    status: str
    author: Person
    team_name: str = ""
    stage: str = ""  # content stage of an approved topic (bot.domain.content.Stage), where shown
    round: int = 0  # the draft's review round, when in review


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
class QuotaChartFile:
    """The weekly quota summary's chart, shared in the summary's thread."""

    locale: str
    team_name: str
    week: str
    rows: list[QuotaSummaryRow]
    thread_ts: str | None  # None when the summary itself could not be posted
