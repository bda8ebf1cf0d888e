"""Queries over the inbox (``bot/kernel/inbox.py``). They never commit, except
``insert_requests``, which is handed a connection in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.models import InboxRequest


@cache
def _insert() -> Any:
    # Built once: it runs on the request path of every deferred click.
    return insert(InboxRequest.__table__)


def insert_requests(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Several requests in one statement (``executemany``): the rows of one group commit."""
    conn.execute(_insert(), list(rows))


def claim_due(session: Session, now: datetime, until: datetime, limit: int) -> list[tuple[int, str, dict, int]]:
    """Lease the oldest requests due now to this worker, in one statement:
    (id, kind, payload, attempts) in the order Slack sent them. Another
    worker's live lease is skipped; on PostgreSQL so are rows another
    worker is leasing at this moment (SKIP LOCKED)."""
    due = (
        select(InboxRequest.id)
        .where(
            InboxRequest.status == "pending",
            InboxRequest.next_attempt_at <= now,
            or_(InboxRequest.claimed_until.is_(None), InboxRequest.claimed_until <= now),
        )
        .order_by(InboxRequest.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = session.execute(
        update(InboxRequest)
        .where(InboxRequest.id.in_(due.scalar_subquery()))
        .values(claimed_until=until)
        .returning(InboxRequest.id, InboxRequest.kind, InboxRequest.payload, InboxRequest.attempts)
    )
    return sorted((i, k, p, a) for i, k, p, a in rows)


def release_requests(session: Session, request_ids: Sequence[int]) -> None:
    """Give leased requests back undecided (the worker is stopping)."""
    session.execute(update(InboxRequest).where(InboxRequest.id.in_(request_ids)).values(claimed_until=None))


@cache
def _finish() -> Any:
    # Built once, like the other statements on a decision's path
    # (storage/queries.py): building it cost more than running it.
    t = InboxRequest.__table__
    return (
        update(t)
        .where(t.c.id == bindparam("request_id"), t.c.status == "pending")
        .values(status=bindparam("new_status"), done_at=bindparam("at"), claimed_until=None,
                last_error=bindparam("error"), attempts=t.c.attempts + 1)
    )


def finish_request(session: Session, request_id: int, now: datetime, *, status: str = "done",
                   error: str | None = None) -> bool:
    """Mark a request decided; False when it already was (by another worker,
    whose transaction then wins and this one must roll back)."""
    result = session.execute(_finish(), {"request_id": request_id, "new_status": status, "at": now, "error": error})
    return result.rowcount == 1


def retry_request(session: Session, request_id: int, *, at: datetime, error: str) -> int:
    """Put a request back for later; returns its attempts so far."""
    request = session.get_one(InboxRequest, request_id)
    request.attempts += 1
    request.next_attempt_at, request.claimed_until, request.last_error = at, None, error[:2000]
    return request.attempts


def pending_requests(session: Session) -> int:
    return session.scalar(select(func.count(InboxRequest.id)).where(InboxRequest.status == "pending")) or 0


# Decided requests: a click or command done (a refusal is done too: the person
# was answered) or given up on after its attempts. Never a pending one.
FINISHED = ("done", "failed")


def prune_finished(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` decided requests decided before ``before``, the
    oldest first; returns how many went. A pending request is never deleted."""
    old = (
        select(InboxRequest.id)
        .where(InboxRequest.status.in_(FINISHED),
               func.coalesce(InboxRequest.done_at, InboxRequest.received_at) < before)
        .order_by(InboxRequest.id)
        .limit(limit)
    )
    return session.execute(delete(InboxRequest).where(InboxRequest.id.in_(old.scalar_subquery()))).rowcount
