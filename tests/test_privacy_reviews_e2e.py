"""Private review text stays private (issue 16, item 4), end to end: signed
requests into the running app on SQLite and PostgreSQL, what each person sees
in Slack, what the log, the audit trail and the outbox keep."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from storage.db import transaction
from storage.models import InboxRequest, OutboxNotice
from storage.reviews import Review
from tests.conftest import ALICE, make_rig
from tests.test_reviews_e2e import (
    EVALUATION,
    MONTH_END_10,
    SELF_REVIEW,
    dm_with,
    evaluate,
    press,
    write_self_review,
)

SECRET = "my-burnout-since-the-reorg"


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        yield r
    finally:
        r.stop()


def fail_updates_of_reviews_setting(rig, column: str) -> None:
    """The database refuses any UPDATE of a review that sets ``column``: a real
    error raised by the database, formatted by SQLAlchemy as any other."""
    with rig.app.engine.begin() as conn:
        if rig.app.engine.dialect.name == "sqlite":
            conn.execute(text(f"CREATE TRIGGER fail_{column} BEFORE UPDATE ON reviews WHEN NEW.{column} IS NOT NULL "
                              "BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"))
        else:
            conn.execute(text("CREATE OR REPLACE FUNCTION opsbot_fail() RETURNS trigger AS $$ "
                              "BEGIN RAISE EXCEPTION 'the disk is on fire'; END $$ LANGUAGE plpgsql"))
            conn.execute(text(f"CREATE TRIGGER fail_{column} BEFORE UPDATE ON reviews FOR EACH ROW "
                              f"WHEN (NEW.{column} IS NOT NULL) EXECUTE FUNCTION opsbot_fail()"))


def assert_secret_kept(rig, caplog) -> None:
    # The error was logged through SQLAlchemy's own formatting (so this test can fail)…
    assert "the disk is on fire" in caplog.text
    assert "hide_parameters=True" in caplog.text
    # …and the private text is nowhere in it, nor in any stored error.
    assert SECRET not in caplog.text
    with transaction(rig.app.db) as s:
        errors = [e for e in s.scalars(select(InboxRequest.last_error)) if e]
        errors += [e for e in s.scalars(select(OutboxNotice.last_error)) if e]
    assert not [e for e in errors if SECRET in e]


def test_a_database_error_never_logs_the_self_review_text(rig, caplog):
    caplog.set_level(logging.DEBUG)
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    fail_updates_of_reviews_setting(rig, "achievements")
    press(rig, ALICE, dm_with(rig, ALICE, "Write self-review"), "Write self-review")
    r = rig.submit(ALICE, rig.last_view(), {**SELF_REVIEW, "rv_achievements": SECRET, "rv_plan": SECRET})
    errors = r.json()["errors"]
    assert "something went wrong" in next(iter(errors.values())), "Alice is told, in the modal she typed in"
    rig.deliver()
    assert_secret_kept(rig, caplog)


def test_a_database_error_never_logs_the_objection_text(rig, caplog):
    caplog.set_level(logging.DEBUG)
    write_self_review(rig)
    evaluate(rig, EVALUATION)
    fail_updates_of_reviews_setting(rig, "objection")
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    r = rig.submit(ALICE, rig.last_view(), {"rv_reason": SECRET})
    assert "something went wrong" in next(iter(r.json()["errors"].values()))
    rig.deliver()
    assert_secret_kept(rig, caplog)
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Review.objection)).all() == [None], "nothing stored"
