"""Query functions over the kernel's tables: teams and people, audit, claims
and snoozes. They never commit: the service that calls them owns the
transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    AuditEntry,
    CardPost,
    Decision,
    Membership,
    ProcessedEvent,
    ReminderLog,
    SlackUser,
    Snooze,
    Team,
    WorkspaceUninstall,
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


def teams_stamp(session: Session) -> int:
    """A fingerprint of what the scheduler plans from: every team's id, whether it is active and when
    it last changed (each change to a team, its schedule or its people stamps ``updated_at``), and the
    workspaces marked uninstalled. A few tiny rows per team; it moves when any of them does, whatever
    the clocks of the replicas that wrote them (a ``max(updated_at)`` would miss an edit stamped
    earlier than the latest one)."""
    teams = session.execute(select(Team.id, Team.active, Team.updated_at).order_by(Team.id)).all()
    u = WorkspaceUninstall
    gone = session.execute(select(u.enterprise_id, u.team_id, u.uninstalled_at, u.purged_at)
                           .order_by(u.enterprise_id, u.team_id)).all()
    return hash((tuple(map(tuple, teams)), tuple(map(tuple, gone))))


def team_by_name(session: Session, name: str, workspace: str = "") -> Team | None:
    """The team called ``name`` in ``workspace`` (names are unique per workspace; "" is the
    single-workspace mode's, and the teams file's)."""
    return session.scalar(select(Team).where(Team.name == name, Team.workspace == workspace))


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


def teams_of_user(session: Session, user_id: str, role: str | None = None, workspace: str | None = None
                  ) -> Sequence[Team]:
    """The user's active teams, in the order of the teams file; only those of ``workspace`` when given
    (a request acts in its own workspace: an Enterprise Grid user may be in teams of several)."""
    teams = session.scalars(_teams_of_user_statement(bool(role)), {"user_id": user_id, "role": role}).all()
    return teams if workspace is None else [t for t in teams if t.workspace == workspace]


def in_workspace(session: Session, team_id: int, workspace: str | None) -> bool:
    """Whether team ``team_id`` is of ``workspace``; always when None (the single-workspace mode).
    An item of a team outside the request's workspace is answered as a missing one."""
    return workspace is None or session.scalar(select(Team.workspace).where(Team.id == team_id)) == workspace


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
    if rows:
        session.execute(_upsert_slack_users_statement(session.get_bind().dialect.name), rows)


@cache
def _upsert_slack_users_statement(dialect: str) -> Any:
    """Built once, on the table (a plain executemany, not the ORM's bulk insert): a job refreshes
    thousands of profiles at a time."""
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    t = SlackUser.__table__
    stmt = ins(t)
    cols = ("name", "tz", "locale", "deleted", "workspace_admin", "refreshed_at")
    return stmt.on_conflict_do_update(index_elements=[t.c.user_id], set_={c: stmt.excluded[c] for c in cols})


@cache
def _slack_users_statement() -> Any:
    return select(SlackUser).where(SlackUser.user_id.in_(bindparam("ids", expanding=True)))


def slack_users(session: Session, user_ids: Iterable[str]) -> dict[str, SlackUser]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {u.user_id: u for u in session.scalars(_slack_users_statement(), {"ids": ids})}


@cache
def _profile_rows_statement() -> Any:
    return select(SlackUser.__table__).where(SlackUser.__table__.c.user_id.in_(bindparam("ids", expanding=True)))


def profile_rows(session: Session, user_ids: Iterable[str]) -> dict[str, Any]:
    """The cached profiles of ``user_ids`` as read-only rows (each column an attribute, as on
    ``SlackUser``): the same as ``slack_users`` for many people, without building ORM objects."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {u.user_id: u for u in session.execute(_profile_rows_statement(), {"ids": ids})}


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
    statement = _claim_statement(session.get_bind().dialect.name)
    claimed: set[str] = set()
    for i in range(0, len(subjects), CHUNK):
        rows = [{"job": job, "subject": sub, "period": period, "team_id": team_id, "at": at}
                for sub in subjects[i:i + CHUNK]]
        claimed.update(session.execute(statement, rows).scalars().all())
    return claimed


@cache
def _claim_statement(dialect: str) -> Any:
    """The claim INSERT, built and compiled once: executed with many rows, SQLAlchemy sends them
    as multi-row INSERTs ("insertmanyvalues"), RETURNING those that were new."""
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    t = ReminderLog.__table__
    return ins(t).on_conflict_do_nothing().returning(t.c.subject)


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



def claim_card_post(session: Session, *, item: str, item_id: int, notice_id: int, now: datetime,
                    until: datetime) -> bool:
    """Claim the first post of an item's card for notice ``notice_id``: True
    when no one holds it, or when the claim held runs out by ``now`` (its
    worker died before posting). A live claim of another notice wins."""
    values = {"item": item, "item_id": item_id, "notice_id": notice_id, "claimed_at": now, "expires_at": until}
    if _insert_ignore(session, CardPost, values):
        return True
    taken = session.execute(
        update(CardPost)
        .where(CardPost.item == item, CardPost.item_id == item_id, CardPost.expires_at <= now)
        .values(notice_id=notice_id, claimed_at=now, expires_at=until)
    )
    return taken.rowcount == 1


def release_card_post(session: Session, *, item: str, item_id: int, notice_id: int) -> None:
    """Give up a claim: the post did not happen (Slack refused it)."""
    session.execute(delete(CardPost).where(CardPost.item == item, CardPost.item_id == item_id,
                                           CardPost.notice_id == notice_id))


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
