"""Engine and session setup for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("opsbot.sqlite3")
WRITER_WAIT = 30.0  # seconds, as PRAGMA busy_timeout
PING_IDLE = 1.0  # seconds a pooled PostgreSQL connection may sit unused before it is checked at checkout


def normalize_url(url: str) -> str:
    """Accept the plain ``postgresql://user@host/db`` (and ``postgres://``) form
    and pick the psycopg 3 driver we ship."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    """The product's one engine factory. ``hide_parameters``: a database error's
    text never carries a statement's values, so a self-review, an objection or
    a rating never reaches the log or an ``inbox``/``outbox`` ``last_error``."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection at checkout only when it sat unused for ``PING_IDLE``: one
    that the server dropped meanwhile (a restart, a failover, an idle timeout) is replaced
    before anybody's transaction meets it, as ``pool_pre_ping`` does. ``pool_pre_ping``
    pings at every checkout: a round trip per transaction, a tenth of the outbox's time on
    PostgreSQL in a fan-out (docs/performance.md, findings item 20), for connections the
    pool handed back milliseconds before."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn, record):
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy):
        returned = record.info.get("returned")
        if returned is None or time.monotonic() - returned < PING_IDLE:
            return  # new, or back in the pool a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as e:  # the pool discards it and checks out another (SQLAlchemy's PoolEvents.checkout)
            raise exc.DisconnectionError(f"a pooled connection was gone: {type(e).__name__}") from None
        if not alive:
            raise exc.DisconnectionError("a pooled connection was gone")


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT and
    # the conditional updates; SQLAlchemy's documented fix is to turn it off
    # and emit BEGIN ourselves. IMMEDIATE takes the write lock up front, so two
    # concurrent decisions queue on busy_timeout instead of failing to upgrade.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    # SQLite has one writer at a time. Left to itself, a thread that finds the
    # lock taken sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms steps),
    # so under concurrent requests most time goes to sleeping: throughput falls
    # as concurrency rises and p99 reaches seconds (docs/performance.md).
    # Queuing this process's transactions on a lock of our own hands the
    # database over the moment it is free; other processes still meet the
    # busy timeout, and so does a thread that waits here longer than it.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.info["opsbot_writer"] = writer.acquire(timeout=WRITER_WAIT)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn) -> None:
        if conn.info.pop("opsbot_writer", False):
            writer.release()

    @event.listens_for(engine, "commit")
    def _commit(conn):
        _release(conn)

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        _release(conn)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
