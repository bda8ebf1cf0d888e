"""What the Home tab shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kernel.views import Person
from bot.workflows.content.views import MetricsLine
from bot.workflows.feedback.views import FeedbackHome
from bot.workflows.onboarding.views import MemberProgress, OpenItem
from bot.workflows.reviews.views import ReviewFigure
from bot.workflows.teams.views import TeamsSection
from bot.workflows.topics.views import TopicLine


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
    """An item waiting on the viewing supervisor, with the card's buttons inline
    (each button under an action id of its own: one view holds many items)."""

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
class HomePlan:
    """The viewer's performance plan for this month (private to them and their supervisors)."""

    period: str
    status: str  # proposed | commented | agreed
    round_id: int  # the current round: Agree / Comment answer it
    round: int
    figures: list[ReviewFigure] = field(default_factory=list)  # agreed: targets beside actuals so far


@dataclass(frozen=True)
class HomePlanLine:
    """A supervisor's view of a member whose plan for this month is not agreed."""

    member: Person
    status: str  # none | proposed | commented


@dataclass(frozen=True)
class HomeSession:
    """An upcoming training session of the team."""

    id: int
    topic: str
    starts_at: int  # epoch seconds
    place: str
    joining: bool | None  # the viewer's answer; None: not answered
    joins: int  # how many answered Join


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
    kudos_received: int = 0  # this month, in the team's zone (bot/workflows/kudos)
    onboarding: list[OpenItem] = field(default_factory=list)  # own items whose day has come, not done
    onboarding_progress: list[MemberProgress] = field(default_factory=list)  # supervisors: new members
    feedback: FeedbackHome = field(default_factory=FeedbackHome)  # improvement items and feedback talks
    # issue 18: the month's plan, training and career goals (bot/workflows/home/development.py)
    plan: HomePlan | None = None  # members: this month's plan, if proposed
    plans_open: list[HomePlanLine] = field(default_factory=list)  # supervisors: not agreed this month
    sessions: list[HomeSession] = field(default_factory=list)  # upcoming (members: joined or not answered)
    goals: int | None = None  # members: career goals this year (None: not shown)
    goals_year: int = 0
    plan_period: str = ""  # this month, YYYY-MM


@dataclass(frozen=True)
class HomeView:
    locale: str
    user_id: str
    teams: list[HomeTeam]
    # Admins: every team, Edit and New team; supervisors: their teams' Edit (bot/workflows/teams).
    team_admin: TeamsSection | None = None
