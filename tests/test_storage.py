"""Persistence on both backends: times come back as UTC instants, the
migrations are the models, and the constraints that keep duplicates out hold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage import migrate
from storage import outbox as outbox_rows
from storage.db import make_engine, make_session_factory, transaction
from storage.models import Base, OutboxNotice, ProcessedEvent, Team
from storage.topics import Topic

NEW_YORK = ZoneInfo("America/New_York")
# 09:00 on Monday 23 November 2026 in New York is 14:00 UTC.
NINE_IN_NEW_YORK = datetime(2026, 11, 23, 9, 0, tzinfo=NEW_YORK)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    e = make_engine(database_url)
    if e.dialect.name == "postgresql":
        # A session zone that is neither UTC nor the zone written below, so a
        # value that came back in the session's zone would show.
        @event.listens_for(e, "connect")
        def _zone(dbapi_conn, _record):
            with dbapi_conn.cursor() as cur:
                cur.execute("SET TIME ZONE 'Asia/Tokyo'")
            dbapi_conn.commit()

    migrate.upgrade(e)
    try:
        yield e
    finally:
        e.dispose()


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def _team(s: Session) -> Team:
    team = Team(name="Growth", channel="C0GROWTH", timezone="Asia/Shanghai", country="CN", locale="en",
                weekly_topic_quota=3, created_at=NOW, updated_at=NOW)
    s.add(team)
    s.flush()
    return team


def _topic(team: Team, status: str, title: str = "Spring campaign") -> Topic:
    return Topic(team_id=team.id, author_id="U0ALICE", title=title, title_key=title.casefold(),
                 week="2026-W48", status=status, created_at=NOW)


# -- time ---------------------------------------------------------------------


def test_a_time_from_another_zone_comes_back_as_the_same_instant_in_utc(db, engine):
    with transaction(db) as s:
        s.add(ProcessedEvent(event_id="Ev1", at=NINE_IN_NEW_YORK))
    with transaction(db) as s:
        got = s.scalars(select(ProcessedEvent.at).where(ProcessedEvent.event_id == "Ev1")).one()
    assert got == NINE_IN_NEW_YORK
    assert got.tzinfo is UTC
    assert (got.hour, got.minute) == (14, 0)
    if engine.dialect.name == "sqlite":
        # Stored as UTC wall time, so text comparisons and ORDER BY are by instant.
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT at FROM processed_events")).scalar_one()
        assert str(raw).startswith("2026-11-23 14:00:00")


def test_times_from_different_zones_compare_by_instant_in_queries(db):
    shanghai_10am = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 02:00 UTC
    with transaction(db) as s:
        s.add(ProcessedEvent(event_id="early", at=shanghai_10am))
        s.add(ProcessedEvent(event_id="late", at=NINE_IN_NEW_YORK))
    with transaction(db) as s:
        # 08:00 UTC on the same day: after 10:00 in Shanghai, before 09:00 in New York.
        before = s.scalars(select(ProcessedEvent.event_id).where(
            ProcessedEvent.at < datetime(2026, 11, 23, 8, 0, tzinfo=UTC))).all()
    assert before == ["early"]


def test_a_naive_datetime_is_refused(db):
    with pytest.raises(StatementError, match="naive datetime"):
        with transaction(db) as s:
            s.add(ProcessedEvent(event_id="Ev2", at=datetime(2026, 11, 23, 9, 0)))
            s.flush()
    with transaction(db) as s:
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


# -- migrations -----------------------------------------------------------------


def test_upgrading_twice_is_harmless_and_leaves_the_database_current(database_url):
    e = make_engine(database_url)
    try:
        assert not migrate.is_current(e), "a fresh database is not migrated"
        migrate.upgrade(e)
        migrate.upgrade(e)
        assert migrate.is_current(e)
        assert migrate.current_revision(e) == migrate.head_revision(e)
    finally:
        e.dispose()


def test_the_migrations_produce_exactly_the_models_schema(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"the models and the migrations disagree; add a migration for: {diff}"


# -- constraints -------------------------------------------------------------------


def test_a_withdrawn_title_can_be_proposed_again_but_a_live_duplicate_cannot(db):
    with transaction(db) as s:
        team = _team(s)
        s.add(_topic(team, "withdrawn"))
    with transaction(db) as s:
        team = s.scalars(select(Team)).one()
        s.add(_topic(team, "proposed"))  # the withdrawn one does not stand in the way
    with pytest.raises(IntegrityError):
        with transaction(db) as s:
            team = s.scalars(select(Team)).one()
            s.add(_topic(team, "approved"))
    with transaction(db) as s:
        team = s.scalars(select(Team)).one()
        s.add(_topic(team, "proposed", title="Another title"))  # a different title is fine
    with transaction(db) as s:
        rows = s.execute(select(Topic.title, Topic.status).order_by(Topic.id)).all()
    assert rows == [("Spring campaign", "withdrawn"), ("Spring campaign", "proposed"),
                    ("Another title", "proposed")]


def _enqueue(s: Session, **kw) -> bool:
    return outbox_rows.enqueue_notice(s, kind="dm", recipient="U0ALICE", payload={"type": "x"}, now=NOW, **kw)


def _outbox(db: sessionmaker[Session]) -> list[OutboxNotice]:
    with transaction(db) as s:
        return list(s.scalars(select(OutboxNotice).order_by(OutboxNotice.id)))


def test_a_notice_with_the_same_key_is_written_once(db):
    with transaction(db) as s:
        assert _enqueue(s, key="quota-reminder:1:U0ALICE:2026-W48") is True
    with transaction(db) as s:
        assert _enqueue(s, key="quota-reminder:1:U0ALICE:2026-W48") is False
        assert _enqueue(s, key="quota-reminder:1:U0ALICE:2026-W49") is True
    assert [n.key for n in _outbox(db)] == ["quota-reminder:1:U0ALICE:2026-W48",
                                            "quota-reminder:1:U0ALICE:2026-W49"]


def test_a_key_stays_once_only_after_delivery(db):
    with transaction(db) as s:
        _enqueue(s, key="k1")
    with transaction(db) as s:
        notice = s.scalars(select(OutboxNotice)).one()
        notice.status, notice.delivered_at = "delivered", NOW
    with transaction(db) as s:
        assert _enqueue(s, key="k1") is False
    assert len(_outbox(db)) == 1


def test_coalesced_notices_keep_one_waiting_row_until_it_is_claimed(db):
    with transaction(db) as s:
        assert _enqueue(s, coalesce_key="card:topic:1") is True
    with transaction(db) as s:
        assert _enqueue(s, coalesce_key="card:topic:1") is False
    [first] = _outbox(db)
    assert (first.status, first.claimed_until) == ("pending", None)

    with transaction(db) as s:
        assert outbox_rows.claim_notice(s, first.id, NOW, NOW + timedelta(seconds=60))
    with transaction(db) as s:
        # The worker is rendering the first one from the state before this
        # change: a second row makes sure the change is shown too.
        assert _enqueue(s, coalesce_key="card:topic:1") is True
    with transaction(db) as s:
        assert _enqueue(s, coalesce_key="card:topic:1") is False
    rows = _outbox(db)
    assert len(rows) == 2
    assert rows[0].claimed_until is not None and rows[1].claimed_until is None
