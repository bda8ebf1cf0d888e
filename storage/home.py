"""Queries for a person's App Home: their own open items, each in one query.
Like ``storage/queries.py`` they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.activities import Activity
from storage.content import Draft, Publication
from storage.leave import Leave
from storage.topics import Topic


def open_drafts(session: Session, team_id: int, author_id: str) -> list[tuple[Draft, str]]:
    """The author's drafts not yet published (in review, changes asked, or
    approved and waiting to go out), with their topic's title; oldest first."""
    rows = session.execute(
        select(Draft, Topic.title)
        .join(Topic, Topic.id == Draft.topic_id)
        .outerjoin(Publication, Publication.draft_id == Draft.id)
        .where(Draft.team_id == team_id, Draft.author_id == author_id, Publication.id.is_(None))
        .order_by(Draft.created_at, Draft.id)
    ).all()
    return [(d, title) for d, title in rows]


def recent_publications(session: Session, team_id: int, author_id: str, since: datetime) -> list[tuple[Publication, str]]:
    """The author's publications that went out at or after ``since``, newest first."""
    rows = session.execute(
        select(Publication, Topic.title)
        .join(Draft, Draft.id == Publication.draft_id)
        .join(Topic, Topic.id == Draft.topic_id)
        .where(Publication.team_id == team_id, Publication.author_id == author_id, Publication.published_at >= since)
        .order_by(Publication.published_at.desc(), Publication.id.desc())
    ).all()
    return [(p, title) for p, title in rows]


def open_activities(session: Session, team_id: int, owner_id: str) -> Sequence[Activity]:
    """The owner's activities waiting for a decision, asked to change, or
    approved with no retrospective yet."""
    return session.scalars(
        select(Activity)
        .where(Activity.team_id == team_id, Activity.owner_id == owner_id,
               (Activity.status.in_(("proposed", "changes_requested")))
               | ((Activity.status == "approved") & Activity.retro_at.is_(None)))
        .order_by(Activity.starts_at, Activity.id)
    ).all()


def open_leaves(session: Session, team_id: int, user_id: str, today: date) -> Sequence[Leave]:
    """The person's leave in this team that is pending or not yet over."""
    return session.scalars(
        select(Leave)
        .where(Leave.team_id == team_id, Leave.user_id == user_id, Leave.end_date >= today,
               Leave.status.in_(("pending", "approved")))
        .order_by(Leave.start_date, Leave.id)
    ).all()
