"""The replicas running on this database (``bot/kernel/replicas.py``): each says it is alive every
few seconds; one silent for longer than the TTL is forgotten by whoever beats next."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Replica


def beat(session: Session, replica_id: str, now: datetime, since: datetime) -> list[str]:
    """``replica_id`` is alive as of ``now``; those not seen since ``since`` are gone. The ids of
    every replica alive, sorted."""
    ins = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = ins(Replica).values(id=replica_id, seen_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=[Replica.id], set_={"seen_at": now}))
    session.execute(delete(Replica).where(Replica.seen_at < since))
    return alive(session, since)


def alive(session: Session, since: datetime) -> list[str]:
    """The ids of the replicas seen since ``since``, sorted, without saying anything of oneself."""
    return list(session.scalars(select(Replica.id).where(Replica.seen_at >= since).order_by(Replica.id)))


def leave(session: Session, replica_id: str) -> None:
    """``replica_id`` stopped: the others take its share at their next beat."""
    session.execute(delete(Replica).where(Replica.id == replica_id))
