"""Leave: the table and its queries. They never commit: the service that
calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base


class Leave(Base):
    """A leave request for whole days in the team's calendar."""

    __tablename__ = "leaves"
    __table_args__ = (Index("ix_leaves_team_user_dates", "team_id", "user_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # pending | approved | rejected | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))


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
