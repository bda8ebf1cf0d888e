"""What the leave notices show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.kernel.views import Person


@dataclass(frozen=True)
class LeaveCardView:
    """The card in the team channel: who and when, never why. The requester's
    reason and a rejection's reason are private (``LeaveDetails``)."""

    locale: str
    leave_id: int
    team_name: str
    person: Person
    start: date
    end: date
    workdays: int
    status: str
    decided_by: Person | None
    decided_at: int | None
    mention: bool = False


@dataclass(frozen=True)
class LeaveDetails:
    """A leave request's details, reason included: shown in a modal to the
    team's supervisors (and to the requester) who press **Details** on the card."""

    locale: str
    leave_id: int
    team_name: str
    person: str
    start: date
    end: date
    workdays: int
    reason: str
    status: str
    decided_by: str | None
    decision_reason: str | None


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
