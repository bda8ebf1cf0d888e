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
class Answer:
    """The reply to a request decided after its ack, through its response_url
    (already translated when written)."""

    locale: str
    text: str


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
class HomeItem:
    """One of the viewer's own items on Home, at its current stage."""

    kind: str  # topic | draft | publication | activity | leave | review
    id: int
    title: str
    stage: str  # the item's status, or: retro_due | metrics_wanted | published
    round: int = 0
    due: int | None = None  # epoch seconds of what is due next, when something is
    metrics: MetricsLine | None = None
    late: bool = False  # the due date has passed


@dataclass(frozen=True)
class HomeDecision:
    """An item waiting on the viewing supervisor, with the card's buttons inline."""

    kind: str  # topic | draft | activity | leave | retro (no buttons: it waits on its owner)
    id: int
    title: str
    author: Person
    since: int  # epoch seconds
    value: str  # the button value the channel card uses


@dataclass(frozen=True)
class HomeBehind:
    member: Person
    count: int
    quota: int


@dataclass(frozen=True)
class HomeTeam:
    team_name: str
    count: int
    quota: int
    topics: list[TopicLine]
    is_supervisor: bool
    # docs/PRODUCT.md §3 App Home: own items, what is due, and a supervisor's view of the team
    items: list[HomeItem] = field(default_factory=list)
    due: list[HomeItem] = field(default_factory=list)
    decisions: list[HomeDecision] = field(default_factory=list)
    behind: list[HomeBehind] = field(default_factory=list)
    late_reviews: list[Person] = field(default_factory=list)
    review_period: str = ""
    is_member: bool = True  # a supervisor who is not a member has no quota or own review


@dataclass(frozen=True)
class HomeView:
    locale: str
    user_id: str
    teams: list[HomeTeam]


# -- content (docs/PRODUCT.md §2.2) --------------------------------------------------


@dataclass(frozen=True)
class MetricsLine:
    reads: int
    likes: int
    comments: int
    shares: int
    at: int  # epoch seconds of the reading


@dataclass(frozen=True)
class DraftCardView:
    locale: str
    draft_id: int
    team_name: str
    topic_id: int
    title: str
    author: Person
    round: int
    link: str
    status: str  # in_review | changes_requested | approved
    submitted_at: int
    decided_by: Person | None
    decided_at: int | None
    comment: str | None
    mention: bool = False
    published_platform: str | None = None
    published_url: str | None = None
    published_at: int | None = None


@dataclass(frozen=True)
class DraftThreadPost:
    """One line of a draft's history, posted in its card's thread."""

    locale: str
    thread_ts: str
    draft_id: int
    round: int
    event: str  # submitted | changes_requested | approved
    actor: Person
    link: str
    comment: str | None
    at: int
    mention: bool = False


@dataclass(frozen=True)
class DraftDecidedDM:
    locale: str
    draft_id: int
    title: str
    round: int
    status: str
    decided_by: str
    comment: str | None
    team_name: str


@dataclass(frozen=True)
class PublishedDM:
    locale: str
    publication_id: int
    title: str
    platform: str
    url: str
    published_at: int
    team_name: str


@dataclass(frozen=True)
class MetricsAskDM:
    locale: str
    publication_id: int
    title: str
    platform: str
    url: str
    published_at: int
    days: int
    latest: MetricsLine | None
    job: str
    period: str
    team_id: int
    snoozed: bool = False
# -- performance reviews (private: DMs and modals to the member and supervisors) --


@dataclass(frozen=True)
class ReviewFigure:
    key: str  # a MemberFigures field name
    actual: int | float | None
    target: int | None = None


@dataclass(frozen=True)
class ReviewResult:
    scores: dict[str, int]
    total: str  # two decimals
    grade: str
    comment: str | None
    evaluator: str


@dataclass(frozen=True)
class PeerSummary:
    count: int  # ratings in
    asked: int
    average: str | None


@dataclass(frozen=True)
class ReviewDM:
    """Every review notice: what it is about is ``type``; the renderer picks
    what to show of the rest. Built from the review's current state."""

    locale: str
    type: str
    review_id: int
    kind: str  # monthly | annual
    period: str
    team_name: str
    member: Person
    status: str
    due: str | None = None  # a date, ISO
    result: ReviewResult | None = None
    self_scores: dict[str, int] | None = None
    objection: str | None = None
    resolution: str | None = None
    resolution_comment: str | None = None
    peers: PeerSummary | None = None
    late: list[Person] = field(default_factory=list)  # evaluation reminders: whose evaluations are late
    late_ids: list[int] = field(default_factory=list)
    job: str | None = None
    job_period: str | None = None
    team_id: int = 0
    snoozed: bool = False


@dataclass(frozen=True)
class PeerRequestDM:
    locale: str
    rating_id: int
    team_name: str
    member: Person
    period: str
    done: bool
# -- activities and leave (docs/PRODUCT.md §2.3, §2.4) ------------------------------


@dataclass(frozen=True)
class ActivityRoundLine:
    round: int
    outcome: str | None
    comment: str | None
    decided_by: Person | None


@dataclass(frozen=True)
class ActivityCardView:
    locale: str
    activity_id: int
    team_name: str
    theme: str
    format: str
    starts_at: int  # epoch seconds, shown in each reader's zone
    ends_at: int
    owner: Person
    participants: list[Person]
    targets: dict
    resources: str | None
    status: str
    round: int
    decided_by: Person | None
    decided_at: int | None
    reason: str | None
    earlier_rounds: list[ActivityRoundLine]
    mention: bool = False
    more_participants: int = 0


@dataclass(frozen=True)
class ActivityNoticeDM:
    """To the owner: sent for review, or decided (with Resubmit after a request for changes)."""

    locale: str
    what: str  # sent | decided
    activity_id: int
    theme: str
    team_name: str
    channel: str
    round: int
    status: str
    decided_by: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class RetroAskDM:
    locale: str
    activity_id: int
    theme: str
    team_id: int
    team_name: str
    ended_at: int
    reminder: bool
    done: bool
    job: str
    period: str
    snoozed: bool = False


@dataclass(frozen=True)
class RetroPost:
    locale: str
    activity_id: int
    team_name: str
    theme: str
    owner: Person
    starts_at: int
    ends_at: int
    targets: dict
    actuals: dict
    worked: str
    didnt: str
    improve: str
    mention: bool = False


@dataclass(frozen=True)
class LeaveCardView:
    locale: str
    leave_id: int
    team_name: str
    person: Person
    start: date
    end: date
    workdays: int
    reason: str
    status: str
    decided_by: Person | None
    decided_at: int | None
    decision_reason: str | None
    mention: bool = False


@dataclass(frozen=True)
class LeaveNoticeDM:
    """To the requester (sent, decided) or to the approver (cancelled)."""

    locale: str
    what: str  # sent | decided | cancelled
    leave_id: int
    team_name: str
    person: str
    start: date
    end: date
    workdays: int
    status: str
    decided_by: str | None = None
    reason: str | None = None


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


@dataclass(frozen=True)
class QuotaChartFile:
    """The weekly quota summary's chart, shared in the summary's thread."""

    locale: str
    team_name: str
    week: str
    rows: list[QuotaSummaryRow]
    thread_ts: str | None  # None when the summary itself could not be posted


@dataclass(frozen=True)
class StatusItem:
    """One of the caller's own items that is waiting on something."""

    kind: str  # topic | draft | activity | retro | metrics | leave
    id: int
    title: str
    state: str  # the item's status (topics, drafts, activities, leave) or "due"
    round: int = 0
    when: str | None = None  # a date, where one matters (leave from, retrospective since)


@dataclass(frozen=True)
class StatusTeam:
    team_name: str
    week: str
    count: int
    quota: int
    is_member: bool
    items: list[StatusItem]
    review_period: str | None  # the month a self-review is about now (members)
    review_status: str | None
    review_due: str | None  # ISO date
    waiting_on_me: int  # decisions waiting on a supervisor


@dataclass(frozen=True)
class StatusView:
    locale: str
    teams: list[StatusTeam]


@dataclass(frozen=True)
class ClickAnswerDM:
    """Why a click on App Home did nothing (already translated when written)."""

    locale: str
    text: str
