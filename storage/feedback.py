"""The feedback talk (绩效反馈面谈) and its improvement plan: the tables and
their queries. They never commit: the service that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base
from storage.reviews import Review


class FeedbackTalk(Base):
    """One talk per evaluated review: when, where, and after it the notes and
    the plan's version. Re-scheduling and revising keep the old values in
    ``FeedbackEvent``."""

    __tablename__ = "feedback_talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), unique=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)  # the member
    period: Mapped[str] = mapped_column(String(7))
    scheduled_by: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(Text)
    schedule_version: Mapped[int] = mapped_column(Integer, default=1)
    # scheduled | recorded (notes and plan sent) | acknowledged | objected
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    notes: Mapped[str | None] = mapped_column(Text)
    plan_version: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str | None] = mapped_column(String(32))
    objection: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ImprovementItem(Base):
    """One item of a talk's improvement plan, in one version of it: a newer
    version marks the items it replaces ``replaced``."""

    __tablename__ = "improvement_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("feedback_talks.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)  # the member whose plan it is
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    # open | done | replaced
    status: Mapped[str] = mapped_column(String(16), default="open")
    comment: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]


class FeedbackEvent(Base):
    """Every change to a talk or its plan: who, when, and what it was before and after."""

    __tablename__ = "feedback_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("feedback_talks.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("improvement_items.id"))
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


def talk_of_review(s: Session, review_id: int) -> FeedbackTalk | None:
    return s.scalar(select(FeedbackTalk).where(FeedbackTalk.review_id == review_id))


def talks_of_team(s: Session, team_id: int, statuses: tuple[str, ...]) -> Sequence[FeedbackTalk]:
    return s.scalars(select(FeedbackTalk).where(FeedbackTalk.team_id == team_id, FeedbackTalk.status.in_(statuses))
                     .order_by(FeedbackTalk.starts_at, FeedbackTalk.id)).all()


def talk_review_ids(s: Session, team_id: int) -> set[int]:
    return set(s.scalars(select(FeedbackTalk.review_id).where(FeedbackTalk.team_id == team_id)).all())


def items_of_talk(s: Session, talk_id: int, version: int) -> Sequence[ImprovementItem]:
    return s.scalars(select(ImprovementItem).where(ImprovementItem.talk_id == talk_id,
                                                   ImprovementItem.version == version)
                     .order_by(ImprovementItem.id)).all()


def open_items(s: Session, team_id: int, *, user_id: str | None = None, owner_id: str | None = None
               ) -> Sequence[ImprovementItem]:
    """Open items of the team's plans: of one member's plans, or owned by one person, or all."""
    q = select(ImprovementItem).where(ImprovementItem.team_id == team_id, ImprovementItem.status == "open")
    if user_id is not None:
        q = q.where(ImprovementItem.user_id == user_id)
    if owner_id is not None:
        q = q.where(ImprovementItem.owner_id == owner_id)
    return s.scalars(q.order_by(ImprovementItem.due_date, ImprovementItem.id)).all()


def replace_items(s: Session, talk_id: int) -> None:
    s.execute(update(ImprovementItem).where(ImprovementItem.talk_id == talk_id, ImprovementItem.status == "open")
              .values(status="replaced"))


def close_item_if_open(s: Session, item_id: int, *, actor: str, at: datetime, comment: str | None) -> bool:
    result = s.execute(update(ImprovementItem).where(ImprovementItem.id == item_id, ImprovementItem.status == "open")
                       .values(status="done", closed_by=actor, closed_at=at, comment=comment))
    return result.rowcount == 1


def set_talk_status_if(s: Session, talk_id: int, allowed: tuple[str, ...], **values: Any) -> bool:
    result = s.execute(update(FeedbackTalk).where(FeedbackTalk.id == talk_id, FeedbackTalk.status.in_(allowed))
                       .values(**values))
    return result.rowcount == 1


def events(s: Session, talk_id: int) -> Sequence[FeedbackEvent]:
    return s.scalars(select(FeedbackEvent).where(FeedbackEvent.talk_id == talk_id).order_by(FeedbackEvent.id)).all()


def reviews_without_talk(s: Session, team_id: int, statuses: tuple[str, ...], since: datetime) -> Sequence[Review]:
    """The team's monthly reviews with a result, evaluated since ``since``, whose talk is not scheduled yet."""
    talked = select(FeedbackTalk.review_id).where(FeedbackTalk.team_id == team_id)
    return s.scalars(select(Review).where(Review.team_id == team_id, Review.kind == "monthly",
                                          Review.status.in_(statuses), Review.evaluated_at >= since,
                                          Review.id.not_in(talked))
                     .order_by(Review.period, Review.id)).all()


def latest_review_with_result(s: Session, team_id: int, user_id: str, statuses: tuple[str, ...]) -> Review | None:
    return s.scalar(select(Review).where(Review.team_id == team_id, Review.user_id == user_id,
                                         Review.kind == "monthly", Review.status.in_(statuses))
                    .order_by(Review.period.desc()).limit(1))
