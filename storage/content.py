"""Drafts, review rounds, publications and metrics: the tables and their queries.
They never commit: the service that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Membership, Team
from storage.topics import Topic


def _my_teams(user_id: str):
    return select(Membership.team_id).where(Membership.user_id == user_id, Membership.active)


def topics_ready_for_draft(session: Session, user_id: str) -> list[tuple[Topic, str]]:
    """The user's approved topics (in their active teams) that have no draft yet."""
    rows = session.execute(
        select(Topic, Team.name)
        .join(Team, Team.id == Topic.team_id)
        .outerjoin(Draft, Draft.topic_id == Topic.id)
        .where(Topic.author_id == user_id, Topic.status == "approved", Draft.id.is_(None), Team.active,
               Topic.team_id.in_(_my_teams(user_id)))
        .order_by(Topic.decided_at.desc(), Topic.id.desc())
    ).all()
    return [(t, name) for t, name in rows]


def drafts_ready_to_publish(session: Session, user_id: str) -> list[tuple[Draft, str, str]]:
    """The user's approved drafts not yet recorded as published: (draft, title, team name)."""
    rows = session.execute(
        select(Draft, Topic.title, Team.name)
        .join(Topic, Topic.id == Draft.topic_id)
        .join(Team, Team.id == Draft.team_id)
        .outerjoin(Publication, Publication.draft_id == Draft.id)
        .where(Draft.author_id == user_id, Draft.status == "approved", Publication.id.is_(None), Team.active,
               Draft.team_id.in_(_my_teams(user_id)))
        .order_by(Draft.approved_at.desc(), Draft.id.desc())
    ).all()
    return [(d, title, name) for d, title, name in rows]


def draft_for_topic(session: Session, topic_id: int) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.topic_id == topic_id))


def round_by_view(session: Session, view_id: str) -> DraftRound | None:
    return session.scalar(select(DraftRound).where(DraftRound.view_id == view_id))


def rounds(session: Session, draft_id: int) -> Sequence[DraftRound]:
    return session.scalars(select(DraftRound).where(DraftRound.draft_id == draft_id).order_by(DraftRound.number)).all()


def the_round(session: Session, draft_id: int, number: int) -> DraftRound:
    return session.scalars(
        select(DraftRound).where(DraftRound.draft_id == draft_id, DraftRound.number == number)
    ).one()


def resubmit_if_changes_requested(session: Session, draft_id: int, author_id: str, after_round: int) -> bool:
    """The conditional update that makes a resubmission one new round, however often it is sent."""
    result = session.execute(
        update(Draft)
        .where(Draft.id == draft_id, Draft.author_id == author_id, Draft.status == "changes_requested",
               Draft.round == after_round)
        .values(status="in_review", round=after_round + 1)
    )
    return result.rowcount == 1


def decide_draft_if_in_review(session: Session, draft_id: int, number: int, *, status: str, actor: str,
                              at: datetime) -> bool:
    """Exactly one decision per round wins a race."""
    values: dict[str, Any] = {"status": status}
    if status == "approved":
        values.update(approved_by=actor, approved_at=at)
    result = session.execute(
        update(Draft).where(Draft.id == draft_id, Draft.status == "in_review", Draft.round == number).values(**values)
    )
    return result.rowcount == 1


def publication_for_draft(session: Session, draft_id: int) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.draft_id == draft_id))


def metrics_by_view(session: Session, view_id: str) -> MetricsUpdate | None:
    return session.scalar(select(MetricsUpdate).where(MetricsUpdate.view_id == view_id))


def latest_metrics(session: Session, publication_ids: Iterable[int]) -> dict[int, MetricsUpdate]:
    """The latest reading of each publication, in one query."""
    ids = list(set(publication_ids))
    if not ids:
        return {}
    out: dict[int, MetricsUpdate] = {}
    for m in session.scalars(
        select(MetricsUpdate).where(MetricsUpdate.publication_id.in_(ids)).order_by(MetricsUpdate.at, MetricsUpdate.id)
    ):
        out[m.publication_id] = m
    return out


def pending_drafts(session: Session, team_id: int, older_than: datetime) -> list[tuple[Draft, str, datetime]]:
    """Drafts of a team whose current round waits for a decision since ``older_than`` or earlier:
    (draft, topic title, when the round was submitted)."""
    rows = session.execute(
        select(Draft, Topic.title, DraftRound.submitted_at)
        .join(Topic, Topic.id == Draft.topic_id)
        .join(DraftRound, (DraftRound.draft_id == Draft.id) & (DraftRound.number == Draft.round))
        .where(Draft.team_id == team_id, Draft.status == "in_review", DraftRound.submitted_at <= older_than)
        .order_by(DraftRound.submitted_at)
    ).all()
    return [(d, title, at) for d, title, at in rows]


def content_stages(session: Session, topic_ids: Iterable[int]) -> dict[int, tuple[str | None, int, bool]]:
    """Per topic: its draft's status (None without a draft), the round, and
    whether it is published. One query."""
    ids = list(set(topic_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Draft.topic_id, Draft.status, Draft.round, Publication.id)
        .outerjoin(Publication, Publication.draft_id == Draft.id)
        .where(Draft.topic_id.in_(ids))
    ).all()
    return {topic_id: (status, rnd, pub is not None) for topic_id, status, rnd, pub in rows}


def published_topic_ids(session: Session, topic_ids: Iterable[int]) -> set[int]:
    ids = list(set(topic_ids))
    if not ids:
        return set()
    return set(session.scalars(
        select(Draft.topic_id).join(Publication, Publication.draft_id == Draft.id).where(Draft.topic_id.in_(ids))
    ))


def publications_since(session: Session, team_id: int, since: datetime) -> list[tuple[Publication, str]]:
    """A team's publications that went out at or after ``since``, with their topic's title."""
    rows = session.execute(
        select(Publication, Topic.title)
        .join(Draft, Draft.id == Publication.draft_id)
        .join(Topic, Topic.id == Draft.topic_id)
        .where(Publication.team_id == team_id, Publication.published_at >= since)
        .order_by(Publication.published_at, Publication.id)
    ).all()
    return [(p, title) for p, title in rows]


def topic_title_of_draft(session: Session, draft_id: int) -> str:
    return session.scalars(select(Topic.title).join(Draft, Draft.topic_id == Topic.id).where(Draft.id == draft_id)).one()


class Draft(Base):
    """The piece written for one approved topic; reviewed in rounds until approved."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # One draft per topic: a second submission for the same topic is a new round, not a new draft.
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), unique=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24))  # in_review | changes_requested | approved
    round: Mapped[int] = mapped_column(Integer)  # the current (latest) round's number
    created_at: Mapped[datetime]  # the first round's submission
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None]
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))


class DraftRound(Base):
    """One submission of a draft and the supervisor's decision on it."""

    __tablename__ = "draft_rounds"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(2000))
    checklist: Mapped[list[Any]] = mapped_column(default=list)
    submitted_at: Mapped[datetime]
    # The modal submission that created it: a double click or a Slack retry creates nothing twice.
    view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    decision: Mapped[str | None] = mapped_column(String(24))  # approved | changes_requested
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)


class Publication(Base):
    """Where and when an approved draft went out."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), unique=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    platform: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(2000))
    published_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]


class MetricsUpdate(Base):
    """One reading of a publication's figures; the latest one counts, all are kept."""

    __tablename__ = "metrics_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    reads: Mapped[int] = mapped_column(Integer)
    likes: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int] = mapped_column(Integer)
    shares: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
