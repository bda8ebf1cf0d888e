"""Queries for activities and leave. They never commit: the service that
calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Activity, Leave, ReminderLog


def decide_activity_if_open(session: Session, activity_id: int, *, status: str, actor: str, at: datetime,
                            reason: str | None) -> bool:
    """The conditional update that lets exactly one decision win a race."""
    result = session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.status == "proposed")
        .values(status=status, decided_by=actor, decided_at=at, reason=reason)
    )
    return result.rowcount == 1


def resubmit_activity_if_asked(session: Session, activity_id: int, owner_id: str, round_: int,
                               values: dict[str, Any]) -> bool:
    """Only the owner, only after a request for changes, only once per round."""
    result = session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.owner_id == owner_id, Activity.status == "changes_requested",
               Activity.round == round_)
        .values(status="proposed", round=round_ + 1, decided_by=None, decided_at=None, **values)
    )
    return result.rowcount == 1


def record_retro_if_missing(session: Session, activity_id: int, owner_id: str, retro: dict[str, Any],
                            at: datetime) -> bool:
    result = session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.owner_id == owner_id, Activity.status == "approved",
               Activity.retro_at.is_(None))
        .values(retro=retro, retro_at=at)
    )
    return result.rowcount == 1


def duplicate_activity(session: Session, team_id: int, owner_id: str, theme: str, starts_at: datetime) -> Activity | None:
    return session.scalar(
        select(Activity).where(Activity.team_id == team_id, Activity.owner_id == owner_id, Activity.theme == theme,
                               Activity.starts_at == starts_at, Activity.status != "rejected")
    )


def pending_activities(session: Session, team_id: int, older_than: datetime) -> Sequence[Activity]:
    return session.scalars(
        select(Activity)
        .where(Activity.team_id == team_id, Activity.status == "proposed", Activity.submitted_at <= older_than)
        .order_by(Activity.submitted_at)
    ).all()


def retros_missing(session: Session, team_id: int, ended_before: datetime) -> Sequence[Activity]:
    """Approved activities that ended before ``ended_before`` with no retrospective yet."""
    return session.scalars(
        select(Activity)
        .where(Activity.team_id == team_id, Activity.status == "approved", Activity.retro_at.is_(None),
               Activity.ends_at < ended_before)
        .order_by(Activity.ends_at, Activity.id)
    ).all()


def live_leaves_overlapping(session: Session, user_id: str, start: date, end: date) -> Sequence[Leave]:
    """The person's pending or approved leave overlapping the dates, in any team."""
    return session.scalars(
        select(Leave)
        .where(Leave.user_id == user_id, Leave.status.in_(("pending", "approved")),
               Leave.start_date <= end, Leave.end_date >= start)
        .order_by(Leave.start_date)
    ).all()


def decide_leave_if_open(session: Session, leave_id: int, *, status: str, actor: str, at: datetime,
                         reason: str | None) -> bool:
    result = session.execute(
        update(Leave)
        .where(Leave.id == leave_id, Leave.status == "pending")
        .values(status=status, decided_by=actor, decided_at=at, decision_reason=reason)
    )
    return result.rowcount == 1


def cancel_leave_if_allowed(session: Session, leave_id: int, user_id: str, today: date, at: datetime) -> bool:
    """Own pending leave, or own approved leave that has not started."""
    result = session.execute(
        update(Leave)
        .where(Leave.id == leave_id, Leave.user_id == user_id,
               or_(Leave.status == "pending", and_(Leave.status == "approved", Leave.start_date > today)))
        .values(status="cancelled", cancelled_at=at)
    )
    return result.rowcount == 1


def leaves_of_user(session: Session, user_id: str, since: date) -> Sequence[Leave]:
    return session.scalars(
        select(Leave).where(Leave.user_id == user_id, Leave.end_date >= since).order_by(Leave.start_date, Leave.id)
    ).all()


def pending_leaves(session: Session, team_id: int, older_than: datetime) -> Sequence[Leave]:
    return session.scalars(
        select(Leave)
        .where(Leave.team_id == team_id, Leave.status == "pending", Leave.created_at <= older_than)
        .order_by(Leave.created_at)
    ).all()


def retro_asked_before(session: Session, job: str, subject: str, activity_id: int, sep: str) -> bool:
    """Whether the retrospective of this activity was asked for on an earlier day."""
    return session.scalar(
        select(ReminderLog.id).where(ReminderLog.job == job, ReminderLog.subject == subject,
                                     ReminderLog.period.like(f"%{sep}{activity_id}")).limit(1)
    ) is not None
