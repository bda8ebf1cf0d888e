"""Recognition: kudos between colleagues and the honour of the month, the tables and their queries.
They never commit: the service that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base


class Kudos(Base):
    """One colleague recognising another, in the team both are in."""

    __tablename__ = "kudos"
    __table_args__ = (Index("ix_kudos_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    giver_id: Mapped[str] = mapped_column(String(32), index=True)
    recipient_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Honour(Base):
    """The honour of the month: one per team and month, chosen by a supervisor."""

    __tablename__ = "kudos_honours"
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    citation: Mapped[str] = mapped_column(Text)
    honoured_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


def given_since(s: Session, team_id: int, giver_id: str, start: datetime, end: datetime) -> int:
    """Kudos this person gave in the team between two instants (their own day)."""
    return s.scalar(select(func.count(Kudos.id)).where(
        Kudos.team_id == team_id, Kudos.giver_id == giver_id, Kudos.created_at >= start,
        Kudos.created_at < end)) or 0


def count_between(s: Session, team_id: int, start: datetime, end: datetime, *, recipient: str | None = None) -> int:
    q = select(func.count(Kudos.id)).where(Kudos.team_id == team_id, Kudos.created_at >= start,
                                           Kudos.created_at < end)
    if recipient is not None:
        q = q.where(Kudos.recipient_id == recipient)
    return s.scalar(q) or 0


def top_recipients(s: Session, team_id: int, start: datetime, end: datetime, limit: int) -> list[tuple[str, int]]:
    """The most recognised people of the period, most first (ties by user id: stable)."""
    n = func.count(Kudos.id)
    rows = s.execute(select(Kudos.recipient_id, n).where(
        Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end)
        .group_by(Kudos.recipient_id).order_by(n.desc(), Kudos.recipient_id).limit(limit)).all()
    return [(u, c) for u, c in rows]


def kudos_between(s: Session, team_id: int, start: datetime, end: datetime) -> Sequence[Kudos]:
    return s.scalars(select(Kudos).where(Kudos.team_id == team_id, Kudos.created_at >= start,
                                         Kudos.created_at < end).order_by(Kudos.created_at, Kudos.id)).all()


def honour_of(s: Session, team_id: int, month: str) -> Honour | None:
    return s.scalar(select(Honour).where(Honour.team_id == team_id, Honour.month == month))


def honour_months(s: Session, team_id: int, user_id: str, year: int) -> list[str]:
    """The months of ``year`` this person was the team's honour of the month."""
    return list(s.scalars(select(Honour.month).where(
        Honour.team_id == team_id, Honour.user_id == user_id, Honour.month.like(f"{year:04d}-%"))
        .order_by(Honour.month)))
