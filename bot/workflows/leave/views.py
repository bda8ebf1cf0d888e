"""What the leave notices show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.kernel.views import Person


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
