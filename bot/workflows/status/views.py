"""What ``/opsbot status`` shows."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    extras: StatusExtras | None = None


@dataclass(frozen=True)
class StatusView:
    locale: str
    teams: list[StatusTeam]


@dataclass(frozen=True)
class StatusSession:
    """The team's next training session."""

    topic: str
    starts_at: int  # epoch seconds
    joining: bool | None  # the caller's answer; None: not answered
    joins: int


@dataclass(frozen=True)
class StatusExtras:
    """Issue 18's lines (bot/workflows/status/development.py)."""

    plan_period: str = ""
    own_plan: str | None = None  # members: none | proposed | commented | agreed
    plan_counts: dict[str, int] = field(default_factory=dict)  # supervisors: agreed / proposed / none
    kudos_received: int | None = None  # members, this month
    kudos_team: int | None = None  # supervisors: the team's kudos this month
    onboarding_own: tuple[int, int] | None = None  # members onboarding: (done, total)
    onboarding_members: int = 0  # supervisors: members still onboarding
    next_session: StatusSession | None = None
    improvement_own: tuple[int, int] | None = None  # open improvement items the caller owns: (open, overdue)
    improvement_team: tuple[int, int] | None = None  # supervisors: the team's open items: (open, overdue)
