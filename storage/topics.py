"""Topics: the table and its queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    bindparam,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    Base,
    Membership,
    SlackUser,
    Team,
)


def topic_counts_for_week(
    session: Session, team_id: int, week: str, until: datetime | None = None, authors: Iterable[str] | None = None
) -> dict[str, int]:
    """Topics proposed per author in a week (withdrawn ones do not count), in one query."""
    values = {"team_id": team_id, "week": week, "until": until, "authors": None if authors is None else list(authors)}
    statement = _topic_counts_statement(until is not None, authors is not None)
    return {a: n for a, n in session.execute(statement, values).all()}


@cache
def _topic_counts_statement(until: bool, authors: bool) -> Any:
    q = (
        select(Topic.author_id, func.count(Topic.id))
        .where(Topic.team_id == bindparam("team_id", type_=Topic.team_id.type),
               Topic.week == bindparam("week", type_=Topic.week.type), Topic.status != "withdrawn")
        .group_by(Topic.author_id)
    )
    if until:
        q = q.where(Topic.created_at <= bindparam("until", type_=Topic.created_at.type))
    if authors:
        q = q.where(Topic.author_id.in_(bindparam("authors", expanding=True)))
    return q


def topics_for_week(
    session: Session, team_id: int, week: str, *, author_id: str | None = None, statuses: Iterable[str] | None = None
) -> Sequence[Topic]:
    q = select(Topic).where(Topic.team_id == team_id, Topic.week == week)
    if author_id:
        q = q.where(Topic.author_id == author_id)
    if statuses is not None:
        q = q.where(Topic.status.in_(list(statuses)))
    return session.scalars(q.order_by(Topic.id)).all()


def topics_by_ids(session: Session, ids: Iterable[int]) -> list[Topic]:
    """Topics in the order given, in one query."""
    wanted = list(ids)
    if not wanted:
        return []
    found = {t.id: t for t in session.scalars(select(Topic).where(Topic.id.in_(wanted)))}
    return [found[i] for i in wanted if i in found]


@cache
def _duplicate_topic_statement() -> Any:
    return select(Topic.id).where(
        Topic.team_id == bindparam("team_id", type_=Topic.team_id.type),
        Topic.author_id == bindparam("author_id", type_=Topic.author_id.type),
        Topic.week == bindparam("week", type_=Topic.week.type),
        Topic.title_key == bindparam("title_key", type_=Topic.title_key.type),
        Topic.status != "withdrawn",
    )


def duplicate_topic(session: Session, team_id: int, author_id: str, week: str, title_key: str) -> int | None:
    return session.scalar(_duplicate_topic_statement(),
                          {"team_id": team_id, "author_id": author_id, "week": week, "title_key": title_key})


@cache
def _topic_for_decision_statement() -> Any:
    user_id = bindparam("user_id", type_=Membership.user_id.type)
    supervises = exists().where(
        Membership.team_id == Topic.team_id, Membership.user_id == user_id,
        Membership.role == "supervisor", Membership.active,
    )
    locale = select(SlackUser.locale).where(SlackUser.user_id == user_id).scalar_subquery()
    return (select(Topic, Team, supervises.label("supervises"), locale.label("locale"))
            .join(Team, Team.id == Topic.team_id)
            .where(Topic.id == bindparam("topic_id", type_=Topic.id.type)))


def topic_for_decision(session: Session, topic_id: int, user_id: str, workspace: str | None = None
                       ) -> tuple[Topic, Team, bool, str | None] | None:
    """A topic, its team, whether ``user_id`` supervises that team, and their
    Slack locale: everything a decision reads, in one statement. A topic of a
    team outside ``workspace`` (when given) is as good as missing."""
    row = session.execute(_topic_for_decision_statement(), {"topic_id": topic_id, "user_id": user_id}).first()
    if row is None or (workspace is not None and row[1].workspace != workspace):
        return None
    return row[0], row[1], bool(row[2]), row[3]


@cache
def _decide_topic_statement() -> Any:
    t = Topic.__table__
    return (update(t)
            .where(t.c.id == bindparam("topic_id", type_=t.c.id.type), t.c.status == "proposed")
            .values(status=bindparam("new_status", type_=t.c.status.type),
                    decided_by=bindparam("actor", type_=t.c.decided_by.type),
                    decided_at=bindparam("at", type_=t.c.decided_at.type),
                    reason=bindparam("new_reason", type_=t.c.reason.type)))


def decide_topic_if_open(
    session: Session, topic: Topic, *, status: str, actor: str, at: datetime, reason: str | None
) -> bool:
    """The conditional update that lets exactly one decision win a race. The
    winner's values are set on ``topic`` as loaded state: no reload."""
    result = session.execute(_decide_topic_statement(),
                             {"topic_id": topic.id, "new_status": status, "actor": actor, "at": at,
                              "new_reason": reason})
    if result.rowcount != 1:
        return False
    for name, value in (("status", status), ("decided_by", actor), ("decided_at", at), ("reason", reason)):
        set_committed_value(topic, name, value)
    return True


def withdraw_topic_if_open(session: Session, topic_id: int, author_id: str) -> bool:
    result = session.execute(
        update(Topic)
        .where(Topic.id == topic_id, Topic.author_id == author_id, Topic.status == "proposed")
        .values(status="withdrawn")
    )
    return result.rowcount == 1


def pending_topics(session: Session, team_id: int, older_than: datetime) -> Sequence[Topic]:
    return session.scalars(
        select(Topic)
        .where(Topic.team_id == team_id, Topic.status == "proposed", Topic.created_at <= older_than)
        .order_by(Topic.created_at)
    ).all()


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (
        # The same author may not propose the same title twice in one week,
        # unless the first one was withdrawn.
        Index(
            "uq_topics_author_week_title",
            "team_id",
            "author_id",
            "week",
            "title_key",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(150))
    title_key: Mapped[str] = mapped_column(String(150))
    angle: Mapped[str | None] = mapped_column(Text)
    platform: Mapped[str | None] = mapped_column(String(80))
    planned_date: Mapped[date | None] = mapped_column(Date)
    week: Mapped[str] = mapped_column(String(10), index=True)  # ISO week in the team's zone, e.g. 2026-W48
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
