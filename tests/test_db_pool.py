"""PostgreSQL connections the server dropped while they sat in the pool are replaced before a
transaction meets them (storage/db.py), without a ping before every transaction of a busy
process: the outbox checks a connection out twice per run of a fan-out."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from storage import db
from storage.db import make_engine, make_session_factory, transaction

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def _pid(sessions) -> int:
    with transaction(sessions) as s:
        return s.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _count_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn):
        pings.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@ON_POSTGRES
def test_a_connection_the_server_dropped_while_idle_is_replaced_and_the_transaction_succeeds(database_url,
                                                                                             monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE", 0.05)
    engine = make_engine(database_url, pool_size=1)
    sessions = make_session_factory(engine)
    try:
        first = _pid(sessions)
        with make_engine(database_url).connect() as admin:  # the server drops the pooled session
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
            admin.commit()
        time.sleep(0.1)
        pings = _count_pings(engine, monkeypatch)
        second = _pid(sessions)  # no error reaches the caller
        assert second != first and pings == [1]
    finally:
        engine.dispose()


@ON_POSTGRES
def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged_again(database_url, monkeypatch):
    monkeypatch.setattr(db, "PING_IDLE", 5.0)
    engine = make_engine(database_url, pool_size=1)
    sessions = make_session_factory(engine)
    try:
        _pid(sessions)
        pings = _count_pings(engine, monkeypatch)
        pids = {_pid(sessions) for _ in range(20)}
        assert len(pids) == 1 and pings == [], "20 transactions in a row: one connection, no round trip to ping it"
    finally:
        engine.dispose()
