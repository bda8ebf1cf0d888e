"""Performance reviews: the tables and their queries. They never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

from storage.models import Base
from storage.queries import _insert_ignore


def review(session: Session, team_id: int, user_id: str, kind: str, period: str) -> Review | None:
    return session.scalar(select(Review).where(Review.team_id == team_id, Review.user_id == user_id,
                                               Review.kind == kind, Review.period == period))


def get_or_create_review(session: Session, team_id: int, user_id: str, kind: str, period: str, status: str,
                         now: datetime) -> tuple[Review, bool]:
    """The review, created if missing; concurrent creators end with one row."""
    created = _insert_ignore(session, Review, {
        "team_id": team_id, "user_id": user_id, "kind": kind, "period": period, "status": status,
        "created_at": now, "updated_at": now,
    })
    row = review(session, team_id, user_id, kind, period)
    assert row is not None
    return row, created


def reviews_of_period(session: Session, team_id: int, kind: str, period: str) -> dict[str, Review]:
    rows = session.scalars(select(Review).where(Review.team_id == team_id, Review.kind == kind,
                                                Review.period == period))
    return {r.user_id: r for r in rows}


def monthly_reviews_of_year(session: Session, team_id: int, user_id: str, year: int) -> Sequence[Review]:
    return session.scalars(
        select(Review).where(Review.team_id == team_id, Review.user_id == user_id, Review.kind == "monthly",
                             Review.period.like(f"{year:04d}-%"))
        .order_by(Review.period)
    ).all()


def update_review_if(session: Session, review_id: int, statuses: Iterable[str], *, user_id: str | None = None,
                     **values: Any) -> bool:
    """The conditional UPDATE that lets exactly one of concurrent actions win."""
    q = update(Review).where(Review.id == review_id, Review.status.in_(list(statuses)))
    if user_id is not None:
        q = q.where(Review.user_id == user_id)
    return session.execute(q.values(**values)).rowcount == 1


def add_event(session: Session, review: Review, *, at: datetime, actor_id: str, event: str,
              snapshot: dict[str, Any]) -> None:
    session.add(ReviewEvent(review_id=review.id, at=at, actor_id=actor_id, event=event, snapshot=snapshot))


def events(session: Session, review_id: int) -> Sequence[ReviewEvent]:
    return session.scalars(select(ReviewEvent).where(ReviewEvent.review_id == review_id)
                           .order_by(ReviewEvent.at, ReviewEvent.id)).all()


def targets(session: Session, team_id: int, user_id: str, period: str) -> ReviewTarget | None:
    return session.scalar(select(ReviewTarget).where(ReviewTarget.team_id == team_id,
                                                     ReviewTarget.user_id == user_id,
                                                     ReviewTarget.period == period))


def peer_ratings(session: Session, review_id: int) -> Sequence[PeerRating]:
    return session.scalars(select(PeerRating).where(PeerRating.review_id == review_id)
                           .order_by(PeerRating.id)).all()


def add_peer_request(session: Session, *, review_id: int, peer_id: str, asked_by: str, at: datetime) -> bool:
    return _insert_ignore(session, PeerRating, {"review_id": review_id, "peer_id": peer_id, "asked_by": asked_by,
                                                "asked_at": at})


def rate_if_open(session: Session, rating_id: int, peer_id: str, *, score: int, comment: str | None,
                 at: datetime) -> bool:
    result = session.execute(
        update(PeerRating)
        .where(PeerRating.id == rating_id, PeerRating.peer_id == peer_id, PeerRating.score.is_(None))
        .values(score=score, comment=comment, rated_at=at)
    )
    return result.rowcount == 1


def peer_rating(session: Session, review_id: int, peer_id: str) -> PeerRating | None:
    return session.scalar(select(PeerRating).where(PeerRating.review_id == review_id, PeerRating.peer_id == peer_id))


class ReviewTarget(Base):
    """A member's targets for a month, set by a supervisor."""

    __tablename__ = "review_targets"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    topics_approved: Mapped[int | None] = mapped_column(Integer)
    publications: Mapped[int | None] = mapped_column(Integer)
    reads: Mapped[int | None] = mapped_column(Integer)
    activities: Mapped[int | None] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime]


class Review(Base):
    """One member's review of one month (``kind`` monthly, period YYYY-MM) or
    year (``kind`` annual, period YYYY). Private: only the member and the
    team's supervisors ever see it."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # monthly | annual
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16))
    achievements: Mapped[str | None] = mapped_column(Text)
    shortcomings: Mapped[str | None] = mapped_column(Text)
    improvement_plan: Mapped[str | None] = mapped_column(Text)
    self_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    self_submitted_at: Mapped[datetime | None]
    evaluator_id: Mapped[str | None] = mapped_column(String(32))
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    total_centi: Mapped[int | None] = mapped_column(Integer)  # the total in hundredths of a point
    grade: Mapped[str | None] = mapped_column(String(2))
    evaluated_at: Mapped[datetime | None]
    objection: Mapped[str | None] = mapped_column(Text)
    objected_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))  # confirmed | revised
    resolution_comment: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReviewEvent(Base):
    """The history of a review: every step, who took it, and the review as it was after."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PeerRating(Base):
    """A colleague's attitude rating for a review; the member only ever sees the average and the count."""

    __tablename__ = "peer_ratings"
    __table_args__ = (UniqueConstraint("review_id", "peer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    peer_id: Mapped[str] = mapped_column(String(32))
    asked_by: Mapped[str] = mapped_column(String(32))
    asked_at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]


class ReviewPlan(Base):
    """A member's performance plan for a month (绩效计划): proposed by a
    supervisor, commented on and revised in rounds, agreed by the member.
    Private to the member and the team's supervisors."""

    __tablename__ = "review_plans"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16))  # proposed | commented | agreed
    round: Mapped[int] = mapped_column(Integer)  # the current round's number
    agreed_round: Mapped[int | None] = mapped_column(Integer)  # the round last agreed: what reviews show
    created_at: Mapped[datetime]
    agreed_at: Mapped[datetime | None]


class ReviewPlanRound(Base):
    """One round of a plan: the indicators proposed, and the member's comment on them."""

    __tablename__ = "review_plan_rounds"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("review_plans.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)  # built-in figure -> target or None
    indicators: Mapped[list[Any]] = mapped_column(JSON)  # [{"name", "target", "standard"}]
    proposed_by: Mapped[str] = mapped_column(String(32))
    proposed_at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)
    commented_by: Mapped[str | None] = mapped_column(String(32))
    commented_at: Mapped[datetime | None]


def plan(session: Session, team_id: int, user_id: str, period: str) -> ReviewPlan | None:
    return session.scalar(select(ReviewPlan).where(ReviewPlan.team_id == team_id, ReviewPlan.user_id == user_id,
                                                   ReviewPlan.period == period))


def plan_rounds(session: Session, plan_id: int) -> Sequence[ReviewPlanRound]:
    return session.scalars(select(ReviewPlanRound).where(ReviewPlanRound.plan_id == plan_id)
                           .order_by(ReviewPlanRound.number)).all()


def plan_round(session: Session, plan_id: int, number: int) -> ReviewPlanRound | None:
    return session.scalar(select(ReviewPlanRound).where(ReviewPlanRound.plan_id == plan_id,
                                                        ReviewPlanRound.number == number))


def agreed_plans(session: Session, team_id: int, period: str) -> Sequence[ReviewPlan]:
    return session.scalars(select(ReviewPlan).where(ReviewPlan.team_id == team_id, ReviewPlan.period == period,
                                                    ReviewPlan.status == "agreed").order_by(ReviewPlan.id)).all()


def agree_plan_if(session: Session, plan_id: int, user_id: str, number: int, at: datetime) -> bool:
    """The member agrees to round ``number``: only while it is the current, not yet agreed one."""
    result = session.execute(update(ReviewPlan).where(
        ReviewPlan.id == plan_id, ReviewPlan.user_id == user_id, ReviewPlan.round == number,
        ReviewPlan.status != "agreed").values(status="agreed", agreed_round=number, agreed_at=at))
    return result.rowcount == 1


def plans_of_period(session: Session, team_id: int, period: str) -> dict[str, ReviewPlan]:
    """Every member's plan of the team for ``period``, by member."""
    return {p.user_id: p for p in session.scalars(select(ReviewPlan).where(ReviewPlan.team_id == team_id,
                                                                          ReviewPlan.period == period))}
