"""Retention: decided inbox requests and finished outbox notices older than
``OPSBOT_RETENTION_DAYS`` are deleted daily; pending ones and the record
(items, decisions, audit) stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.kernel import retention
from bot.kernel.settings import Settings
from storage.db import transaction
from storage.models import AuditEntry, Decision, InboxRequest, OutboxNotice
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL, LEAD, MONDAY_9AM
from tests.helpers import all_text, button, cards
from tests.test_scheduler import leading, wait_until


def rows(rig) -> tuple[list[tuple[str, datetime]], list[tuple[str, str, datetime]]]:
    with transaction(rig.app.db) as s:
        inbox = [(r.status, r.received_at) for r in s.scalars(select(InboxRequest).order_by(InboxRequest.id))]
        outbox = [(n.status, n.kind, n.created_at) for n in s.scalars(select(OutboxNotice).order_by(OutboxNotice.id))]
    return inbox, outbox


def count(rig, model) -> int:
    with transaction(rig.app.db) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_finished_rows_older_than_the_period_are_pruned_young_and_pending_ones_kept(rig):
    assert rig.app.settings.opsbot_retention_days == 90
    # Monday 23 November: Alice proposes (an inbox request, done), the card and
    # her answer go out (delivered), Lena approves (another request and DM).
    assert rig.command(ALICE, "/topic", "Old idea", channel=CHANNEL).status == 200
    rig.deliver()
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Old idea" in all_text(c.params)][-1]
    rig.click(LEAD, "topic_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()
    old = MONDAY_9AM.astimezone(UTC)
    with transaction(rig.app.db) as s:
        # Finished long ago too: a request given up on, a notice failed for good.
        s.add(InboxRequest(kind="topic_propose", payload={}, status="failed", attempts=4, received_at=old,
                           next_attempt_at=old, done_at=old))
        s.add(OutboxNotice(kind="dm", recipient=ALICE, payload={}, status="failed", next_attempt_at=old,
                           created_at=old, failed_at=old, last_error="channel_not_found"))
        # Still owed, however old: never deleted.
        s.add(InboxRequest(kind="topic_propose", payload={}, status="pending", received_at=old,
                           next_attempt_at=old + timedelta(days=400)))
        s.add(OutboxNotice(kind="dm", recipient=ALICE, payload={}, status="pending",
                           next_attempt_at=old + timedelta(days=400), created_at=old))
    old_inbox, old_outbox = rows(rig)
    assert {st for st, _ in old_inbox} == {"done", "failed", "pending"}
    assert {st for st, _, _ in old_outbox} == {"delivered", "failed", "pending"}

    # 89 days on, a young proposal; one day later (90 days and a minute on) the job runs.
    rig.clock.set(MONDAY_9AM + timedelta(days=89))
    assert rig.command(ALICE, "/topic", "Young idea", channel=CHANNEL).status == 200
    rig.deliver()
    young_inbox, young_outbox = rows(rig)
    young_inbox, young_outbox = young_inbox[len(old_inbox):], young_outbox[len(old_outbox):]
    assert young_inbox and young_outbox

    pruned = rig.app.scheduler.retention.run(MONDAY_9AM + timedelta(days=90, minutes=1))

    inbox, outbox = rows(rig)
    assert inbox == [("pending", old)] + young_inbox
    assert outbox == [("pending", "dm", old)] + young_outbox
    assert (pruned.inbox, pruned.outbox) == (len(old_inbox) - 1, len(old_outbox) - 1)
    # The record stays: both topics, the decision and the audit trail.
    with transaction(rig.app.db) as s:
        assert s.scalars(select(Topic.title).order_by(Topic.id)).all() == ["Old idea", "Young idea"]
    assert count(rig, Decision) == 1 and count(rig, AuditEntry) >= 2

    # Run again at once: nothing more goes.
    again = rig.app.scheduler.retention.run(MONDAY_9AM + timedelta(days=90, minutes=2))
    assert (again.inbox, again.outbox) == (0, 0)


def test_a_longer_retention_keeps_what_the_default_would_prune(rig):
    assert rig.command(ALICE, "/topic", "Kept a while", channel=CHANNEL).status == 200
    rig.deliver()
    before = rows(rig)
    keep_a_year = retention.Retention(db=rig.app.db, clock=rig.clock, days=365)
    assert keep_a_year.run(MONDAY_9AM + timedelta(days=200)) == retention.Pruned(0, 0)
    assert rows(rig) == before


def test_the_scheduler_leader_prunes_daily_at_half_past_three_utc(rig):
    scheduler = rig.app.scheduler
    scheduler.start()
    try:
        wait_until(lambda: leading(scheduler), what="the scheduler to lead")
        job = scheduler._aps.get_job(retention.JOB_ID)
        assert job is not None and job.func == scheduler.retention.run
        fires = job.trigger.get_next_fire_time(None, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
        assert fires == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
        assert job.trigger.get_next_fire_time(fires, fires + timedelta(seconds=1)) == fires + timedelta(days=1)
    finally:
        scheduler.stop()


def test_a_retention_under_seven_days_is_refused_at_start_naming_the_setting(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("OPSBOT_RETENTION_DAYS", "3")
    assert main(["jobs", "list"]) == 2
    err = capsys.readouterr().err
    assert "OPSBOT_RETENTION_DAYS" in err and "7" in err and "Traceback" not in err
    monkeypatch.setenv("OPSBOT_RETENTION_DAYS", "30")
    assert Settings().opsbot_retention_days == 30
