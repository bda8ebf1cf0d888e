"""No notice is retried for ever: one that cannot be made (a chart, a renderer
or a loader that fails the same way each time) is given up after a few
attempts, logged once, and the team's supervisors are told once. Slack's
5xx, 429 and network errors are still retried until Slack recovers."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

import handlers.reports.blocks
from bot.kernel.outbox_failures import MAX_FAILED_ATTEMPTS
from storage.db import transaction
from storage.models import OutboxNotice
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, make_rig, validate_all
from tests.helpers import all_text, dms

LATER = timedelta(minutes=1)  # past any backoff


class BrokenChart:
    """A chart that cannot be drawn, the same way every time (as a Slack name
    with `$\\foo$` once made every chart of a team fail)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args: Any, **kw: Any) -> bytes:
        self.calls += 1
        raise ValueError("Unknown symbol: \\foo")


def notices_of(rig: Any, **where: Any) -> list[OutboxNotice]:
    with transaction(rig.app.db) as s:
        return [n for n in s.scalars(select(OutboxNotice).order_by(OutboxNotice.id))
                if all(getattr(n, k) == v for k, v in where.items())]


def report_notice(rig: Any) -> OutboxNotice:
    [n] = [n for n in notices_of(rig, kind="file") if n.payload.get("type") == "report"]
    return n


def failure_dms(rig: Any, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "opsbot outbox retry" in all_text(c.params)]


def ask_for_a_report(rig: Any) -> None:
    r = rig.command(LEAD, "/opsbot", "report week", channel=CHANNEL)
    assert r.status == 200, r.body


def deliver_a_while(rig: Any, rounds: int = 8) -> None:
    for _ in range(rounds):
        rig.deliver()
        rig.clock.advance(LATER)


def test_a_notice_that_keeps_failing_is_marked_failed_after_N_attempts_and_supervisors_are_told_once(
        rig, monkeypatch, caplog):
    chart = BrokenChart()
    monkeypatch.setattr(handlers.reports.blocks, "progress_chart", chart)
    rig.command(ALICE, "/topic", "An idea", channel=CHANNEL)
    rig.deliver()
    ask_for_a_report(rig)
    with caplog.at_level(logging.INFO):
        deliver_a_while(rig, rounds=10)

    assert chart.calls == MAX_FAILED_ATTEMPTS, "tried a few times, then never again"
    assert rig.slack.files() == []
    failed = report_notice(rig)
    assert (failed.status, failed.attempts) == ("failed", MAX_FAILED_ATTEMPTS)
    assert failed.failed_at is not None and "Unknown symbol" in failed.last_error

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert f"notice {failed.id} (file report)" in errors[0].getMessage(), "logged once, with its kind and id"

    [lena] = failure_dms(rig, LEAD)
    assert "I could not make a report (its chart and summary) for Growth" in all_text(lena.params)
    assert f"`opsbot outbox retry {failed.id}`" in all_text(lena.params)
    [li] = failure_dms(rig, LEAD2)
    assert "我无法为 Growth 生成" in all_text(li.params), "in the supervisor's own language"
    assert failure_dms(rig, ALICE) == [] and failure_dms(rig, BOB) == [], "members are not told"
    told = notices_of(rig, kind="dm")
    assert sorted(n.recipient for n in told if n.payload.get("type") == "notice_failed") == [LEAD, LEAD2]


def test_a_loader_that_keeps_failing_is_bounded_too(rig, monkeypatch):
    def broken(*a: Any, **kw: Any) -> Any:
        raise RuntimeError("a bug in the loader")

    monkeypatch.setitem(rig.app.worker.loaders.files, "report", broken)
    ask_for_a_report(rig)
    deliver_a_while(rig)
    failed = report_notice(rig)
    assert failed.status == "failed" and "a bug in the loader" in failed.last_error
    assert len(failure_dms(rig, LEAD)) == 1 and len(failure_dms(rig, LEAD2)) == 1


def test_a_failure_dm_that_fails_itself_tells_nobody_again(rig, monkeypatch):
    monkeypatch.setattr(handlers.reports.blocks, "progress_chart", BrokenChart())

    def no_failure_dm(*a: Any, **kw: Any) -> Any:
        raise RuntimeError("the failure DM cannot be made either")

    monkeypatch.setitem(rig.app.worker.loaders.dms, "notice_failed", no_failure_dm)
    ask_for_a_report(rig)
    deliver_a_while(rig, rounds=12)
    told = [n for n in notices_of(rig, kind="dm") if n.payload.get("type") == "notice_failed"]
    assert len(told) == 2 and {n.status for n in told} == {"failed"}, "each given up in turn"
    assert {n.payload["notice"] for n in told} == {report_notice(rig).id}, "no DM about a failed failure DM"
    assert rig.deliver() == 0


def test_transient_errors_429_5xx_network_are_still_retried(rig):
    rig.command(ALICE, "/topic", "Warm-up", channel=CHANNEL)
    rig.deliver()
    rig.slack.set_outage(503)
    rig.command(ALICE, "/topic", "Through the outage", channel=CHANNEL)
    deliver_a_while(rig, rounds=MAX_FAILED_ATTEMPTS + 3)
    rig.slack.set_outage(None)
    rig.slack.rate_limit_next(MAX_FAILED_ATTEMPTS + 1)
    deliver_a_while(rig, rounds=MAX_FAILED_ATTEMPTS + 3)
    rig.slack.drop_connections_next(MAX_FAILED_ATTEMPTS + 1)
    rig.command(BOB, "/topic", "Through dropped connections", channel=CHANNEL)
    deliver_a_while(rig, rounds=MAX_FAILED_ATTEMPTS + 4)

    posted = [c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]
    for title in ("Through the outage", "Through dropped connections"):
        assert len([c for c in posted if title in all_text(c.params)]) == 1, title
    everything = notices_of(rig)
    assert {n.status for n in everything} == {"delivered"}, "nothing given up"
    assert max(n.attempts for n in everything) > MAX_FAILED_ATTEMPTS, "retried past the bound on errors that repeat"
    assert [c for c in rig.slack.calls("chat.postMessage") if "opsbot outbox retry" in all_text(c.params)] == []


def test_two_workers_giving_up_one_notice_at_once_tell_each_supervisor_once(database_url):
    from bot.kernel.outbox import OutboxWorker

    rig = make_rig(database_url).start()
    try:
        ask_for_a_report(rig)
        notice_id = report_notice(rig).id
        workers = [OutboxWorker(db=rig.app.db, clock=rig.clock, slack=rig.app.worker.slack,
                                loaders=rig.app.worker.loaders) for _ in range(4)]
        barrier = threading.Barrier(len(workers))
        errors: list[BaseException] = []

        def give_up(w: OutboxWorker) -> None:
            barrier.wait()
            try:
                w._fail(notice_id, "ValueError: the chart cannot be drawn")
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=give_up, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert report_notice(rig).status == "failed"
        rig.deliver()
        assert len(failure_dms(rig, LEAD)) == 1 and len(failure_dms(rig, LEAD2)) == 1
        validate_all(rig)
    finally:
        rig.stop()


def test_a_draft_whose_card_cannot_be_made_does_not_leave_its_history_waiting_for_ever(rig, monkeypatch):
    from bot.workflows.content.views import DraftCardView
    from tests.test_content_e2e import approved_topic, submit_draft

    approved_topic(rig)

    def broken(*a: Any, **kw: Any) -> Any:
        raise KeyError("a field the card builder expects")

    monkeypatch.setitem(rig.app.worker.slack.render.builders, DraftCardView, broken)
    submit_draft(rig)
    deliver_a_while(rig, rounds=12)

    card = [n for n in notices_of(rig, kind="card") if n.payload.get("item") == "draft"]
    reply = [n for n in notices_of(rig, kind="post") if n.payload.get("type") == "draft_thread"]
    assert [n.status for n in card] == ["failed"]
    assert [n.status for n in reply] == ["failed"], "the history reply fails with its card, not waits for ever"
    assert "card could not be posted" in reply[0].last_error
    assert [n for n in notices_of(rig) if n.status == "pending"] == []
    lena = [all_text(c.params) for c in failure_dms(rig, LEAD)]
    assert len(lena) == 2
    assert any("the card of draft #1" in t for t in lena)
    assert any("a post in a draft's review thread" in t for t in lena)


def test_a_notice_that_cannot_be_made_does_not_hold_up_the_others(rig, monkeypatch):
    monkeypatch.setattr(handlers.reports.blocks, "progress_chart", BrokenChart())
    ask_for_a_report(rig)  # written first, so tried first
    rig.command(ALICE, "/topic", "Right behind the report", channel=CHANNEL)
    rig.deliver()
    assert report_notice(rig).status == "pending", "tried once, to be tried again"
    posted = [c for c in rig.slack.calls("chat.postMessage") if c.params.get("channel") == CHANNEL]
    assert any("Right behind the report" in all_text(c.params) for c in posted), "in the same round"
