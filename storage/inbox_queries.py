"""Queries over the inbox (``bot/inbox.py``). They never commit, except
``insert_requests``, which is handed a connection in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.models import InboxRequest


@cache
def _insert() -> Any:
    # Built once: it runs on the request path of every deferred click.
    return insert(InboxRequest.__table__)


def insert_requests(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Several requests in one statement (``executemany``): the rows of one group commit."""
    conn.execute(_insert(), list(rows))


def due_requests(session: Session, now: datetime, limit: int) -> list[int]:
    """Requests to decide now, in the order Slack sent them."""
    q = (
        select(InboxRequest.id)
        .where(
            InboxRequest.status == "pending",
            InboxRequest.next_attempt_at <= now,
            or_(InboxRequest.claimed_until.is_(None), InboxRequest.claimed_until <= now),
        )
        .order_by(InboxRequest.id)
        .limit(limit)
    )
    return list(session.scalars(q))


def claim_request(session: Session, request_id: int, now: datetime, until: datetime) -> bool:
    """Lease one request to this worker; another worker's live lease wins."""
    result = session.execute(
        update(InboxRequest)
        .where(
            InboxRequest.id == request_id,
            InboxRequest.status == "pending",
            or_(InboxRequest.claimed_until.is_(None), InboxRequest.claimed_until <= now),
        )
        .values(claimed_until=until)
    )
    return result.rowcount == 1


def finish_request(session: Session, request_id: int, now: datetime, *, status: str = "done",
                   error: str | None = None) -> bool:
    """Mark a request decided; False when it already was (by another worker,
    whose transaction then wins and this one must roll back)."""
    result = session.execute(
        update(InboxRequest)
        .where(InboxRequest.id == request_id, InboxRequest.status == "pending")
        .values(status=status, done_at=now, claimed_until=None, last_error=error,
                attempts=InboxRequest.attempts + 1)
    )
    return result.rowcount == 1


def retry_request(session: Session, request_id: int, *, at: datetime, error: str) -> int:
    """Put a request back for later; returns its attempts so far."""
    request = session.get_one(InboxRequest, request_id)
    request.attempts += 1
    request.next_attempt_at, request.claimed_until, request.last_error = at, None, error[:2000]
    return request.attempts


def pending_requests(session: Session) -> int:
    return session.scalar(select(func.count(InboxRequest.id)).where(InboxRequest.status == "pending")) or 0
