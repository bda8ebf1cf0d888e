"""What the activity notices show."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.views import Person


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
