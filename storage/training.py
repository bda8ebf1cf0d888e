"""Training (培训与发展): sessions a supervisor announces, members' answers,
attendance, and each member's career development goals of the year. Queries
never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base


class TrainingSession(Base):
    """One training session announced in a team's channel."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    attendance_by: Mapped[str | None] = mapped_column(String(32))
    attendance_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))


class TrainingAnswer(Base):
    """A member's answer on the card: joining or not; a second click changes it."""

    __tablename__ = "training_answers"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    joining: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime]


class TrainingAttendee(Base):
    """Who attended, as a supervisor recorded it."""

    __tablename__ = "training_attendees"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))


class CareerGoals(Base):
    """A member's career development plan for one year in one team: up to 5 goals."""

    __tablename__ = "career_goals"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    goals: Mapped[list[Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


def answers(s: Session, session_id: int) -> dict[str, bool]:
    return {a.user_id: a.joining for a in s.scalars(select(TrainingAnswer).where(TrainingAnswer.session_id == session_id))}


def set_answer(s: Session, session_id: int, user_id: str, joining: bool, at: datetime) -> bool | None:
    """The answer before this one (None: the first)."""
    row = s.scalar(select(TrainingAnswer).where(TrainingAnswer.session_id == session_id,
                                                TrainingAnswer.user_id == user_id))
    if row is None:
        s.add(TrainingAnswer(session_id=session_id, user_id=user_id, joining=joining, answered_at=at))
        s.flush()
        return None
    before = row.joining
    row.joining, row.answered_at = joining, at
    return before


def attendees(s: Session, session_id: int) -> list[str]:
    return list(s.scalars(select(TrainingAttendee.user_id).where(TrainingAttendee.session_id == session_id)
                          .order_by(TrainingAttendee.id)))


def set_attendees(s: Session, session_id: int, user_ids: Iterable[str]) -> None:
    s.execute(delete(TrainingAttendee).where(TrainingAttendee.session_id == session_id))
    for u in dict.fromkeys(user_ids):
        s.add(TrainingAttendee(session_id=session_id, user_id=u))
    s.flush()


def attended(s: Session, team_id: int, user_id: str, start: datetime, end: datetime) -> Sequence[TrainingSession]:
    """The team's sessions in ``[start, end)`` the member attended, in time order."""
    return s.scalars(
        select(TrainingSession).join(TrainingAttendee, TrainingAttendee.session_id == TrainingSession.id)
        .where(TrainingSession.team_id == team_id, TrainingAttendee.user_id == user_id,
               TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
        .order_by(TrainingSession.starts_at, TrainingSession.id)).all()


def sessions_between(s: Session, team_id: int, start: datetime, end: datetime) -> Sequence[TrainingSession]:
    return s.scalars(select(TrainingSession).where(
        TrainingSession.team_id == team_id, TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
        .order_by(TrainingSession.starts_at, TrainingSession.id)).all()


def held_between(s: Session, team_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """The team's sessions that began in ``[start, end)`` and the attendances recorded at them."""
    window = (TrainingSession.team_id == team_id, TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    held = s.scalar(select(func.count()).select_from(TrainingSession).where(*window)) or 0
    came = s.scalar(select(func.count()).select_from(TrainingAttendee)
                    .join(TrainingSession, TrainingAttendee.session_id == TrainingSession.id).where(*window)) or 0
    return held, came


def goals_row(s: Session, team_id: int, user_id: str, year: int) -> CareerGoals | None:
    return s.scalar(select(CareerGoals).where(CareerGoals.team_id == team_id, CareerGoals.user_id == user_id,
                                              CareerGoals.year == year))


def set_goals(s: Session, team_id: int, user_id: str, year: int, goals: list[str], at: datetime) -> list[str]:
    """The goals before (empty: none)."""
    row = goals_row(s, team_id, user_id, year)
    if row is None:
        s.add(CareerGoals(team_id=team_id, user_id=user_id, year=year, goals=goals, updated_at=at))
        s.flush()
        return []
    before = list(row.goals or [])
    row.goals, row.updated_at = goals, at
    return before


def answers_for(s: Session, session_ids: Sequence[int]) -> dict[int, dict[str, bool]]:
    """Every answer to each of ``session_ids``, in one query: session -> user -> joining."""
    out: dict[int, dict[str, bool]] = {i: {} for i in session_ids}
    if session_ids:
        for a in s.scalars(select(TrainingAnswer).where(TrainingAnswer.session_id.in_(list(session_ids)))):
            out[a.session_id][a.user_id] = a.joining
    return out
