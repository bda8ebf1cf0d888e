"""Query functions over the models. They never commit: the service that
calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    AuditEntry,
    Decision,
    Membership,
    OutboxNotice,
    ProcessedEvent,
    ReminderLog,
    SlackUser,
    Snooze,
    Team,
    Topic,
)

# The statements on a request's path are built once, with bind parameters,
# and kept: building a statement and computing its cache key cost SQLAlchemy
# more Python than executing it (docs/performance.md, finding 10). Only the
# values change from one call to the next.


@cache
def _insert_ignore_statement(dialect: str, table: Table) -> Any:
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    return ins(table).on_conflict_do_nothing().returning(*table.primary_key.columns)


def _insert_ignore(session: Session, model, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted.
    Safe under concurrency on both SQLite and PostgreSQL."""
    statement = _insert_ignore_statement(session.get_bind().dialect.name, model.__table__)
    return session.execute(statement, values).first() is not None


# -- teams and people ------------------------------------------------------


def active_teams(session: Session) -> Sequence[Team]:
    return session.scalars(select(Team).where(Team.active).order_by(Team.id)).all()


def team_by_name(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == name))


def team_by_channel(session: Session, channel: str) -> Team | None:
    return session.scalar(select(Team).where(Team.channel == channel, Team.active))


@cache
def _teams_of_user_statement(by_role: bool) -> Any:
    q = (
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == bindparam("user_id", type_=Membership.user_id.type), Membership.active,
               Team.active)
    )
    if by_role:
        q = q.where(Membership.role == bindparam("role", type_=Membership.role.type))
    return q.group_by(Team.id).order_by(Team.id)


def teams_of_user(session: Session, user_id: str, role: str | None = None) -> Sequence[Team]:
    """The user's active teams, in the order of the teams file."""
    return session.scalars(_teams_of_user_statement(bool(role)), {"user_id": user_id, "role": role}).all()


def has_role(session: Session, team_id: int, user_id: str, role: str) -> bool:
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.team_id == team_id,
                Membership.user_id == user_id,
                Membership.role == role,
                Membership.active,
            )
        )
        is not None
    )


def is_in_team(session: Session, team_id: int, user_id: str) -> bool:
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.team_id == team_id, Membership.user_id == user_id, Membership.active
            )
        )
        is not None
    )


def team_user_ids(session: Session, team_id: int, role: str) -> list[str]:
    return list(
        session.scalars(
            select(Membership.user_id)
            .where(Membership.team_id == team_id, Membership.role == role, Membership.active)
            .order_by(Membership.position, Membership.id)
        ).all()
    )


def people_of_teams(session: Session, team_ids: Sequence[int]) -> list[str]:
    """Everyone active in any of these teams, in either role."""
    if not team_ids:
        return []
    return list(session.scalars(
        select(Membership.user_id).where(Membership.team_id.in_(team_ids), Membership.active).distinct()
    ).all())


def upsert_slack_user(session: Session, *, user_id: str, **values: Any) -> None:
    """Insert or refresh a cached profile; safe when two workers fetch the same person."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = ins(SlackUser).values(user_id=user_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=[SlackUser.user_id], set_=values))


def upsert_slack_users(session: Session, rows: list[dict[str, Any]]) -> None:
    """:func:`upsert_slack_user` for many people in one executemany."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = ins(SlackUser)
    cols = ("name", "tz", "locale", "deleted", "refreshed_at")
    stmt = stmt.on_conflict_do_update(index_elements=[SlackUser.user_id], set_={c: stmt.excluded[c] for c in cols})
    session.execute(stmt, rows)


@cache
def _slack_users_statement() -> Any:
    return select(SlackUser).where(SlackUser.user_id.in_(bindparam("ids", expanding=True)))


def slack_users(session: Session, user_ids: Iterable[str]) -> dict[str, SlackUser]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {u.user_id: u for u in session.scalars(_slack_users_statement(), {"ids": ids})}


# -- topics -----------------------------------------------------------------


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


def topic_for_decision(session: Session, topic_id: int, user_id: str) -> tuple[Topic, Team, bool, str | None] | None:
    """A topic, its team, whether ``user_id`` supervises that team, and their
    Slack locale: everything a decision reads, in one statement."""
    row = session.execute(_topic_for_decision_statement(), {"topic_id": topic_id, "user_id": user_id}).first()
    return None if row is None else (row[0], row[1], bool(row[2]), row[3])


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


# -- audit ------------------------------------------------------------------


@cache
def _insert_statement(table: Table) -> Any:
    return insert(table)


def add_audit(session: Session, **values: Any) -> None:
    session.execute(_insert_statement(AuditEntry.__table__), values)


def add_decision(session: Session, **values: Any) -> None:
    session.execute(_insert_statement(Decision.__table__), values)


def audit_entries(
    session: Session, *, item_kind: str | None = None, item_id: int | None = None, since: datetime | None = None
) -> Sequence[AuditEntry]:
    q = select(AuditEntry)
    if item_kind:
        q = q.where(AuditEntry.item_kind == item_kind)
    if item_id is not None:
        q = q.where(AuditEntry.item_id == item_id)
    if since is not None:
        q = q.where(AuditEntry.at >= since)
    return session.scalars(q.order_by(AuditEntry.at, AuditEntry.id)).all()


# -- idempotency --------------------------------------------------------------


def claim_once(session: Session, *, job: str, subject: str, period: str, team_id: int | None, at: datetime) -> bool:
    """Record that ``job`` did its work for ``subject`` in ``period``.
    False when it already had: the caller then sends nothing."""
    return _insert_ignore(
        session, ReminderLog, {"job": job, "subject": subject, "period": period, "team_id": team_id, "at": at}
    )


# Rows per multi-row INSERT: well under SQLite's bound-parameter limit.
CHUNK = 500


def claim_many(session: Session, *, job: str, subjects: Sequence[str], period: str, team_id: int | None,
               at: datetime) -> set[str]:
    """:func:`claim_once` for many subjects: one INSERT ... ON CONFLICT DO
    NOTHING RETURNING per 500; returns the subjects claimed now."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    claimed: set[str] = set()
    for i in range(0, len(subjects), CHUNK):
        rows = [{"job": job, "subject": sub, "period": period, "team_id": team_id, "at": at}
                for sub in subjects[i:i + CHUNK]]
        result = session.execute(ins(ReminderLog).values(rows).on_conflict_do_nothing().returning(ReminderLog.subject))
        claimed.update(result.scalars().all())
    return claimed


def already_claimed_many(session: Session, *, job: str, subjects: Sequence[str], period: str) -> set[str]:
    claimed: set[str] = set()
    for i in range(0, len(subjects), CHUNK):
        claimed.update(session.scalars(select(ReminderLog.subject).where(
            ReminderLog.job == job, ReminderLog.period == period, ReminderLog.subject.in_(subjects[i:i + CHUNK])
        )).all())
    return claimed


def already_claimed(session: Session, *, job: str, subject: str, period: str) -> bool:
    return (
        session.scalar(
            select(ReminderLog.id).where(
                ReminderLog.job == job, ReminderLog.subject == subject, ReminderLog.period == period
            )
        )
        is not None
    )


def mark_event_processed(session: Session, event_id: str, at: datetime) -> bool:
    return _insert_ignore(session, ProcessedEvent, {"event_id": event_id, "at": at})


# -- outbox -----------------------------------------------------------------


def _waiting(coalesce_key: Any) -> Any:
    """An equal notice still waits unclaimed: a new one would render the same."""
    return exists().where(
        OutboxNotice.coalesce_key == coalesce_key,
        OutboxNotice.status == "pending",
        OutboxNotice.claimed_until.is_(None),
    )


def _notice_source(kind: Any, recipient: Any, coalesce_key: Any, payload: Any, *, team_id: Any, now: Any,
                   created: Any) -> tuple[list[str], list[Any]]:
    """The columns of a new coalesced outbox row, as SQL expressions for
    INSERT … SELECT (each argument a column, a bind parameter or a literal)."""
    c = OutboxNotice.__table__.c
    values = {
        "kind": kind, "recipient": recipient, "payload": payload, "team_id": team_id,
        "key": literal(None, c.key.type), "coalesce_key": coalesce_key,
        "status": literal("pending", c.status.type), "attempts": literal(0, c.attempts.type),
        "next_attempt_at": now, "created_at": created,
    }
    return list(values), list(values.values())


def enqueue_coalesced_for_role(session: Session, *, kind: str, key_prefix: str, role: str, team_id: int,
                               now: datetime) -> None:
    """A coalesced notice (key ``key_prefix`` + user) for everyone active in
    ``role`` of team ``team_id``, in one statement whatever their number,
    skipping those with an equal notice still waiting unclaimed."""
    who = select(Membership.user_id.label("user_id")).where(
        Membership.team_id == team_id, Membership.role == role, Membership.active).subquery("who")
    coalesce_key = literal(key_prefix, OutboxNotice.coalesce_key.type) + who.c.user_id
    c = OutboxNotice.__table__.c
    names, columns = _notice_source(
        literal(kind, c.kind.type), who.c.user_id, coalesce_key, literal({}, c.payload.type),
        team_id=literal(None, c.team_id.type), now=literal(now, c.next_attempt_at.type),
        created=literal(now, c.created_at.type))
    session.info["outbox"] = True
    session.execute(insert(OutboxNotice).from_select(names, select(*columns).where(~_waiting(coalesce_key))))


@dataclass(frozen=True)
class Coalesced:
    """One notice for :func:`enqueue_coalesced_rows`."""

    kind: str
    recipient: str
    coalesce_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    team_id: int | None = None


@cache
def _coalesced_insert(rows: int, returning: bool = False) -> Any:
    """INSERT … SELECT of ``rows`` coalesced notices, row ``i``'s values bound
    as ``kind_i``, ``recipient_i``, ``payload_i``, ``team_id_i`` and ``coalesce_key_i``."""
    c = OutboxNotice.__table__.c
    now, created = bindparam("now", type_=c.next_attempt_at.type), bindparam("created", type_=c.created_at.type)
    sources = []
    for i in range(rows):
        coalesce_key = bindparam(f"coalesce_key_{i}", type_=c.coalesce_key.type)
        names, columns = _notice_source(
            bindparam(f"kind_{i}", type_=c.kind.type), bindparam(f"recipient_{i}", type_=c.recipient.type),
            coalesce_key, bindparam(f"payload_{i}", type_=c.payload.type),
            team_id=bindparam(f"team_id_{i}", type_=c.team_id.type), now=now, created=created)
        sources.append(select(*columns).where(~_waiting(coalesce_key)))
    statement = insert(OutboxNotice.__table__).from_select(names, union_all(*sources) if rows > 1 else sources[0])
    return statement.returning(OutboxNotice.id) if returning else statement


def _coalesced_values(rows: Sequence[Coalesced], now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {"now": now, "created": now}
    for i, r in enumerate(rows):
        values.update({f"kind_{i}": r.kind, f"recipient_{i}": r.recipient, f"payload_{i}": r.payload,
                       f"team_id_{i}": r.team_id, f"coalesce_key_{i}": r.coalesce_key})
    return values


def enqueue_coalesced_rows(session: Session, rows: Sequence[Coalesced], *, now: datetime) -> None:
    """Several coalesced notices in one INSERT … SELECT: each row is skipped
    while an equal one waits unclaimed."""
    if not rows:
        return
    session.info["outbox"] = True
    session.execute(_coalesced_insert(len(rows)), _coalesced_values(rows, now))


def enqueue_notice(
    session: Session,
    *,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    team_id: int | None = None,
    key: str | None = None,
    coalesce_key: str | None = None,
) -> bool:
    """Write a notice into the outbox. A ``key`` makes it once-only forever;
    a ``coalesce_key`` skips it while an equal one waits unclaimed (one
    statement either way: these are on the request path of every click)."""
    if coalesce_key is not None and key is not None:
        raise ValueError("a notice is either once-only (key) or coalesced (coalesce_key), not both")
    # Tells the session's after_commit hook to wake the delivery worker.
    session.info["outbox"] = True
    if coalesce_key is not None:
        row = Coalesced(kind, recipient, coalesce_key, payload, team_id)
        inserted = session.execute(_coalesced_insert(1, returning=True), _coalesced_values([row], now))
        return inserted.first() is not None
    values = {
        "kind": kind,
        "recipient": recipient,
        "payload": payload,
        "team_id": team_id,
        "key": key,
        "coalesce_key": None,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    if key is not None:
        return _insert_ignore(session, OutboxNotice, values)
    session.execute(_insert_statement(OutboxNotice.__table__), values)
    return True


def enqueue_keyed_notices(session: Session, rows: list[dict[str, Any]], *, now: datetime) -> None:
    """Many once-only notices (each with its ``key``) in one executemany;
    a key already in the outbox is skipped."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    values = [{"team_id": None, "coalesce_key": None, **r, "status": "pending", "attempts": 0,
               "next_attempt_at": now, "created_at": now} for r in rows]
    session.info["outbox"] = True
    session.execute(ins(OutboxNotice).on_conflict_do_nothing(), values)


def _due(now: datetime, last: Sequence[str], *columns: Any) -> Any:
    busy_groups = (
        select(OutboxNotice.coalesce_key)
        .where(
            OutboxNotice.status == "pending",
            OutboxNotice.coalesce_key.is_not(None),
            OutboxNotice.claimed_until > now,
        )
        .scalar_subquery()
    )
    return (
        select(*columns)
        .where(
            OutboxNotice.status == "pending",
            OutboxNotice.next_attempt_at <= now,
            or_(OutboxNotice.claimed_until.is_(None), OutboxNotice.claimed_until <= now),
            or_(OutboxNotice.coalesce_key.is_(None), OutboxNotice.coalesce_key.not_in(busy_groups)),
        )
        .order_by(case((OutboxNotice.kind.in_(last), 1), else_=0), OutboxNotice.id)
    )


def due_notices(session: Session, now: datetime, limit: int, *, last: Sequence[str] = ()
                ) -> list[tuple[int, str, str]]:
    """The notices due now, oldest first but those of the kinds in ``last``
    after the others, with each one's kind and recipient so the worker can
    order a round around Slack's per-channel limits."""
    rows = session.execute(_due(now, last, OutboxNotice.id, OutboxNotice.kind, OutboxNotice.recipient).limit(limit))
    return [(i, k, r) for i, k, r in rows]


def claim_notice(session: Session, notice_id: int, now: datetime, until: datetime) -> bool:
    """Lease one notice to this worker; another worker's live lease wins."""
    result = session.execute(
        update(OutboxNotice)
        .where(
            OutboxNotice.id == notice_id,
            OutboxNotice.status == "pending",
            or_(OutboxNotice.claimed_until.is_(None), OutboxNotice.claimed_until <= now),
        )
        .values(claimed_until=until)
    )
    return result.rowcount == 1


def notices(session: Session, *, pending_only: bool = False, limit: int = 200) -> Sequence[OutboxNotice]:
    q = select(OutboxNotice)
    if pending_only:
        q = q.where(OutboxNotice.status == "pending")
    return session.scalars(q.order_by(OutboxNotice.id.desc()).limit(limit)).all()


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status == "pending")) or 0


# -- snoozes ----------------------------------------------------------------


def due_snoozes(session: Session, now: datetime) -> Sequence[Snooze]:
    return session.scalars(
        select(Snooze).where(and_(Snooze.status == "pending", Snooze.due_at <= now)).order_by(Snooze.id)
    ).all()


def pending_snooze(session: Session, *, user_id: str, team_id: int, job: str, period: str) -> Snooze | None:
    return session.scalar(
        select(Snooze).where(
            Snooze.user_id == user_id, Snooze.team_id == team_id, Snooze.job == job, Snooze.period == period,
            Snooze.status == "pending",
        )
    )


def mark_snooze_sent(session: Session, snooze_id: int) -> bool:
    result = session.execute(
        update(Snooze).where(Snooze.id == snooze_id, Snooze.status == "pending").values(status="sent")
    )
    return result.rowcount == 1
