"""Activities: the tables and their queries. They never commit: the service that
calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, ReminderLog


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


def retro_asked_before(session: Session, job: str, subject: str, activity_id: int, sep: str) -> bool:
    """Whether the retrospective of this activity was asked for on an earlier day."""
    return session.scalar(
        select(ReminderLog.id).where(ReminderLog.job == job, ReminderLog.subject == subject,
                                     ReminderLog.period.like(f"%{sep}{activity_id}")).limit(1)
    ) is not None


class Activity(Base):
    """An activity proposal, its decision, and its retrospective."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    theme: Mapped[str] = mapped_column(String(150))
    format: Mapped[str] = mapped_column(String(150))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    participants: Mapped[list[Any]] = mapped_column(default=list)  # Slack user ids
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)  # participants, engagement, conversion
    resources: Mapped[str | None] = mapped_column(Text)
    # proposed | changes_requested | approved | rejected
    status: Mapped[str] = mapped_column(String(24), default="proposed", index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime]  # when the current round went in
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # the last comment or rejection reason
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    retro: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # actuals and the three texts
    retro_at: Mapped[datetime | None]


class ActivityRound(Base):
    """One round of review: what was submitted, and what the supervisor said."""

    __tablename__ = "activity_rounds"
    __table_args__ = (UniqueConstraint("activity_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
