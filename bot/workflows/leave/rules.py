"""Leave rules (docs/PRODUCT.md §2.4): what a request may be, when two overlap,
and what ``/leave`` text means."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.numbers import typed_id
from bot.domain.periods import check_day, upcoming
from bot.kernel.errors import N_, InvalidInput

REASON_MAX = 2000
MAX_DAYS = 92  # one request covers at most about a quarter
FIELD_START = "leave_start"
FIELD_END = "leave_end"
FIELD_REASON = "leave_reason"


class LeaveStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Leave that still stands: it blocks an overlapping request.
LIVE = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


@dataclass(frozen=True)
class LeaveDraft:
    start: date | None
    end: date | None
    reason: str


def validate_leave(draft: LeaveDraft, *, today: date) -> LeaveDraft:
    """Leave is requested in advance (the handbook's 请假制度): from today on."""
    if draft.start is None:
        raise InvalidInput(N_("Pick the first day of your leave."), field=FIELD_START)
    if draft.end is None:
        raise InvalidInput(N_("Pick the last day of your leave."), field=FIELD_END)
    if draft.start < today:
        raise InvalidInput(N_("Leave cannot start in the past."), field=FIELD_START)
    check_day(draft.start, upcoming(today), FIELD_START)
    if draft.end < draft.start:
        raise InvalidInput(N_("The last day cannot be before the first day."), field=FIELD_END)
    check_day(draft.end, upcoming(today), FIELD_END)
    if (draft.end - draft.start).days + 1 > MAX_DAYS:
        raise InvalidInput(N_("One request covers at most {days} days; split longer leave."), field=FIELD_END,
                           days=MAX_DAYS)
    reason = (draft.reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Give a reason for your supervisor."), field=FIELD_REASON)
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("The reason can be at most 2000 characters."), field=FIELD_REASON)
    return LeaveDraft(draft.start, draft.end, reason)


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def cancellable(status: str, start: date, today: date) -> bool:
    """An own pending leave, or an approved one that has not started yet.
    Leave already under way is a fact on the calendar: ask a supervisor."""
    return status == LeaveStatus.PENDING or (status == LeaveStatus.APPROVED and start > today)


class LeaveCommandKind(StrEnum):
    MODAL = "modal"
    LIST = "list"
    CANCEL = "cancel"
    HELP = "help"


@dataclass(frozen=True)
class LeaveCommand:
    kind: LeaveCommandKind
    leave_id: int | None = None


_CANCEL = re.compile(r"^cancel\s+#?(\d{1,12})$")


def parse_leave_command(text: str) -> LeaveCommand:
    stripped = " ".join(text.split())
    if not stripped:
        return LeaveCommand(LeaveCommandKind.MODAL)
    if stripped == "list":
        return LeaveCommand(LeaveCommandKind.LIST)
    m = _CANCEL.match(stripped)
    if m:
        return LeaveCommand(LeaveCommandKind.CANCEL, typed_id(m.group(1)))
    return LeaveCommand(LeaveCommandKind.HELP)
