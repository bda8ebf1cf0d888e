"""What the review notices show (private: DMs and modals to the member and supervisors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.kernel.views import Person
from bot.workflows.reviews.incentives import Incentive


@dataclass(frozen=True)
class ReviewFigure:
    key: str  # a MemberFigures field name
    actual: int | float | None
    target: int | None = None


@dataclass(frozen=True)
class PlanIndicator:
    """A custom indicator of a performance plan: all three are the supervisor's words."""

    name: str
    target: str
    standard: str


@dataclass(frozen=True)
class PlanDM:
    """A plan notice: proposed (to the member), commented / agreed (to the
    supervisor who proposed the round), progress (mid-month, to the member)."""

    locale: str
    type: str  # plan_proposed | plan_commented | plan_agreed | plan_progress
    round_id: int
    period: str
    team_name: str
    member: Person
    supervisor: Person
    round: int
    figures: list[ReviewFigure]  # the built-in targets (with actuals so far in a progress DM)
    indicators: list[PlanIndicator]
    comment: str | None = None
    open: bool = False  # the round is the current one and not agreed: the buttons still apply
    agreed: bool = False


@dataclass(frozen=True)
class ReviewResult:
    scores: dict[str, int]
    total: str  # two decimals
    grade: str
    comment: str | None
    evaluator: str


@dataclass(frozen=True)
class PeerSummary:
    """Colleagues' ratings as anyone may see them: an aggregate, and only from
    the team's ``peer_ratings_min`` ratings on (``average`` None below it)."""

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
    # A month-end prompt going out after its day: the day it was due (ISO).
    prompt_due: str | None = None
    # Annual reviews: the bonus coefficient; candidate marks only in a supervisor's notice.
    incentive: Incentive | None = None


@dataclass(frozen=True)
class PeerRequestDM:
    locale: str
    rating_id: int
    team_name: str
    member: Person
    period: str
    done: bool


@dataclass(frozen=True)
class StatusRow:
    member: str
    status: str
    late: bool


@dataclass(frozen=True)
class TeamReviews:
    """A team's reviews at a glance, for its supervisors: by DM only (``/opsbot reviews``)."""

    locale: str
    team_name: str
    period: str
    self_due: date
    evaluation_due: date
    rows: list[StatusRow]
