"""What ``/opsbot status`` shows."""

from __future__ import annotations

from dataclasses import dataclass


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
