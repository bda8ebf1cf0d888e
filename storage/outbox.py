"""The outbox's rows: enqueueing (coalesced and keyed), leasing and listing notices."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, delete, exists, func, insert, literal, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Membership, OutboxNotice, Team
from storage.queries import _insert_ignore, _insert_statement


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
    values = [{"team_id": None, "coalesce_key": None, **r, "status": "pending", "attempts": 0,
               "next_attempt_at": now, "created_at": now} for r in rows]
    session.info["outbox"] = True
    session.execute(_keyed_insert(session.get_bind().dialect.name), values)


@cache
def _keyed_insert(dialect: str) -> Any:
    """Built once, on the table: a plain executemany, not the ORM's bulk insert."""
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    return ins(OutboxNotice.__table__).on_conflict_do_nothing()


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


# The Slack workspace a notice goes to, as the pacer counts it: its team's
# (teams.workspace), "" for a notice with no team and in the single-workspace mode.
_WORKSPACE = func.coalesce(Team.workspace, "")


class Due(NamedTuple):
    id: int
    kind: str
    recipient: str
    workspace: str


def due_notices(session: Session, now: datetime, limit: int, *, last: Sequence[str] = (),
                skip_workspaces: Collection[str] = ()) -> list[Due]:
    """The notices due now, with each one's kind, recipient and workspace so
    the worker can order a round around Slack's per-channel and per-workspace
    limits; none of the workspaces in ``skip_workspaces`` (held back). Oldest
    first within each workspace, but those of the kinds in ``last`` after the
    others; the workspaces take turns: every workspace's first notice, then
    every one's second, and so on. So a round of a fan-out to 200 workspaces
    reaches all 200 (each has limits of its own), not the first few."""
    later = case((OutboxNotice.kind.in_(last), 1), else_=0)
    turn = func.row_number().over(partition_by=_WORKSPACE, order_by=(later, OutboxNotice.id))
    q = (_due(now, last, OutboxNotice.id, OutboxNotice.kind, OutboxNotice.recipient, _WORKSPACE.label("workspace"),
              later.label("later"), turn.label("turn"))
         .select_from(OutboxNotice).outerjoin(Team, Team.id == OutboxNotice.team_id))
    if skip_workspaces:
        q = q.where(_WORKSPACE.not_in(sorted(skip_workspaces)))
    ranked = q.order_by(None).subquery()
    q = (select(ranked.c.id, ranked.c.kind, ranked.c.recipient, ranked.c.workspace)
         .order_by(ranked.c.later, ranked.c.turn, ranked.c.id).limit(limit))
    return [Due(*row) for row in session.execute(q)]


def workspace_of_notice(session: Session, notice_id: int) -> str:
    """The workspace of one notice, as :func:`due_notices` gives it."""
    q = select(_WORKSPACE).select_from(OutboxNotice).outerjoin(Team, Team.id == OutboxNotice.team_id)
    return session.scalar(q.where(OutboxNotice.id == notice_id)) or ""


def claim_notice(session: Session, notice_id: int, now: datetime, until: datetime) -> OutboxNotice | None:
    """Lease one notice to this worker, and load it in the same statement;
    None when another worker's live lease wins (or it is not pending)."""
    return session.scalars(
        update(OutboxNotice)
        .where(
            OutboxNotice.id == notice_id,
            OutboxNotice.status == "pending",
            or_(OutboxNotice.claimed_until.is_(None), OutboxNotice.claimed_until <= now),
        )
        .values(claimed_until=until)
        .returning(OutboxNotice)
    ).one_or_none()


# A run's statements are built once: building them anew was about 7% of a DM's CPU (findings item 21).
@cache
def _claim_notices_statement() -> Any:
    t = OutboxNotice.__table__
    return (update(t)
            .where(t.c.id.in_(bindparam("ids", expanding=True)), t.c.status == "pending",
                   or_(t.c.claimed_until.is_(None), t.c.claimed_until <= bindparam("now")))
            .values(claimed_until=bindparam("until"))
            .returning(*t.c))


def claim_notices(session: Session, notice_ids: Collection[int], now: datetime, until: datetime) -> list[Any]:
    """Lease several notices to this worker, and load them, in one statement
    (a run: ``bot/kernel/runs.py``); those another worker's live lease holds
    (or no longer pending) are not among them. Each comes as a read-only row
    with the columns of ``OutboxNotice`` (what loaders read), not an ORM object."""
    return list(session.execute(_claim_notices_statement(), {"ids": sorted(notice_ids), "now": now, "until": until}))


@cache
def _teams_statement() -> Any:
    return select(Team).where(Team.id.in_(bindparam("ids", expanding=True)))


def teams_of(session: Session, rows: Collection[Any]) -> list[Team]:
    """The teams of these notices, in one statement."""
    ids = sorted({n.team_id for n in rows if n.team_id is not None})
    return list(session.scalars(_teams_statement(), {"ids": ids})) if ids else []


def release(session: Session, notice_ids: Collection[int], until: datetime) -> None:
    """Give back the leases this worker took until ``until`` on notices it did
    not send after all (a run cut short): they are due again at once. A lease
    that ran out and that another worker has taken since is not touched."""
    if notice_ids:
        session.execute(update(OutboxNotice).where(
            OutboxNotice.id.in_(sorted(notice_ids)), OutboxNotice.status == "pending",
            OutboxNotice.claimed_until == until).values(claimed_until=None))


def notices(session: Session, *, pending_only: bool = False, limit: int = 200) -> Sequence[OutboxNotice]:
    q = select(OutboxNotice)
    if pending_only:
        q = q.where(OutboxNotice.status == "pending")
    return session.scalars(q.order_by(OutboxNotice.id.desc()).limit(limit)).all()


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status == "pending")) or 0


# -- failed notices (bot/kernel/outbox_failures.py) -------------------------------------


def count_failed_attempt(session: Session, notice_id: int) -> int:
    """One more attempt ended in an error that would repeat: how many now."""
    session.execute(update(OutboxNotice).where(OutboxNotice.id == notice_id)
                    .values(failed_attempts=OutboxNotice.failed_attempts + 1))
    return session.scalar(select(OutboxNotice.failed_attempts).where(OutboxNotice.id == notice_id)) or 0


@cache
def _mark_delivered_statement() -> Any:
    t = OutboxNotice.__table__
    return update(t).where(t.c.id == bindparam("notice_id")).values(
        status="delivered", delivered_at=bindparam("now"), attempts=t.c.attempts + 1, result=bindparam("answer"),
        claimed_until=None, last_error=None)


def mark_delivered(session: Session, sent: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
    """Slack took these notices (id, what it answered): one statement, however many, without loading them."""
    if sent:
        session.execute(_mark_delivered_statement(),
                        [{"notice_id": notice_id, "answer": result, "now": now} for notice_id, result in sent])


def mark_failed(session: Session, notice_id: int, now: datetime, error: str) -> bool:
    """Give a pending notice up for good. False when it is not pending any
    more (another worker gave it up, or delivered it): only one does."""
    result = session.execute(
        update(OutboxNotice)
        .where(OutboxNotice.id == notice_id, OutboxNotice.status == "pending")
        .values(status="failed", failed_at=now, claimed_until=None, last_error=error,
                attempts=OutboxNotice.attempts + 1)
    )
    return result.rowcount == 1


def gave_up_on(session: Session, coalesce_key: str) -> bool:
    """Whether the notices of ``coalesce_key`` (a card) failed for good and
    none is waiting to try again: what waits on them would wait for ever."""
    statuses = set(session.scalars(select(OutboxNotice.status).where(OutboxNotice.coalesce_key == coalesce_key)))
    return "failed" in statuses and "pending" not in statuses


def failed_notices(session: Session, *, limit: int = 200) -> Sequence[OutboxNotice]:
    return session.scalars(select(OutboxNotice).where(OutboxNotice.status == "failed")
                           .order_by(OutboxNotice.failed_at.desc(), OutboxNotice.id.desc()).limit(limit)).all()


def retry_failed(session: Session, notice_id: int) -> bool:
    """Put a failed notice back in line, due at once (since it was written,
    whatever the clock of the process asking), its attempts counted afresh;
    False when there is no failed notice ``notice_id``."""
    result = session.execute(
        update(OutboxNotice)
        .where(OutboxNotice.id == notice_id, OutboxNotice.status == "failed")
        .values(status="pending", attempts=0, failed_attempts=0, failed_at=None, claimed_until=None,
                next_attempt_at=OutboxNotice.created_at)
    )
    session.info["outbox"] = True
    return result.rowcount == 1


def prune_finished(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` notices delivered, or failed for good, before
    ``before``, the oldest first; returns how many went. A pending notice (one
    still being tried, however old) is never deleted."""
    finished_at = case((OutboxNotice.status == "delivered", OutboxNotice.delivered_at),
                       else_=OutboxNotice.failed_at)
    old = (
        select(OutboxNotice.id)
        .where(OutboxNotice.status.in_(("delivered", "failed")),
               func.coalesce(finished_at, OutboxNotice.created_at) < before)
        .order_by(OutboxNotice.id)
        .limit(limit)
    )
    return session.execute(delete(OutboxNotice).where(OutboxNotice.id.in_(old.scalar_subquery()))).rowcount


def workspace_of(session: Session, notice: OutboxNotice) -> tuple[str, str | None]:
    """The Slack workspace (team id, Enterprise org) a notice goes to: its team's; for a notice
    with no team (a Home tab, an answer to a click on Home) the workspace of its recipient's
    teams, active ones first, unless the notice names its workspace (a Home opened there). ("", None):
    the single-workspace mode, or nobody knows."""
    named = notice.payload.get("workspace") if notice.team_id is None else None
    if named or (notice.team_id is None and notice.payload.get("enterprise_id")):
        return named or "", notice.payload.get("enterprise_id")
    if notice.team_id is not None:  # loaded once: the notice's loader finds it in the session
        team = session.get(Team, notice.team_id)
        row = (team.workspace, team.enterprise_id) if team is not None else None
    else:
        row = session.execute(
            select(Team.workspace, Team.enterprise_id)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == notice.recipient)
            .order_by(Membership.active.desc(), Team.active.desc(), Team.id)
            .limit(1)
        ).first()
    return (row[0] or "", row[1]) if row is not None else ("", None)
