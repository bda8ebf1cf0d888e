"""The inbox (bot/kernel/inbox.py): an Approve click and a one-line /topic are
committed before Slack's ack and decided after it, once, even across a crash,
a second worker or a failure."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import event, func, select, update

from bot.kernel import inbox
from storage.db import transaction
from storage.models import Decision, InboxRequest, OutboxNotice
from storage.topics import Topic
from tests.conftest import ALICE, CHANNEL, LEAD, make_rig
from tests.helpers import all_text, buttons, cards, dms


def requests(rig, kind: str = "topic.approve") -> list[InboxRequest]:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(InboxRequest).where(InboxRequest.kind == kind).order_by(InboxRequest.id)))


def topic_status(rig, topic_id: int) -> str:
    with transaction(rig.app.db) as s:
        return s.get_one(Topic, topic_id).status


def decisions(rig) -> int:
    with transaction(rig.app.db) as s:
        return s.scalar(select(func.count(Decision.id))) or 0


def propose_one(rig, title: str = "Inbox idea") -> None:
    assert "Topic #" in rig.command(ALICE, "/topic", title, channel=CHANNEL).json()["text"]
    rig.deliver()


def test_a_click_is_stored_before_its_ack_and_decided_right_after(rig, monkeypatch):
    propose_one(rig)
    monkeypatch.setattr(rig, "decide", lambda: 0)  # look between the ack and the decision
    r = rig.click(LEAD, "topic_approve", "1", channel=CHANNEL)
    assert (r.status, r.body) == (200, ""), "Slack hears OK at once, with nothing to show yet"
    [req] = requests(rig)
    assert (req.kind, req.status, req.payload["user"], req.payload["topic_id"]) == ("topic.approve", "pending", LEAD, 1)
    assert topic_status(rig, 1) == "proposed"

    monkeypatch.undo()
    assert rig.decide() == 1
    rig.deliver()
    assert topic_status(rig, 1) == "approved"
    assert requests(rig)[0].status == "done"
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if c.method == "chat.update"][-1]
    assert buttons(card.params) == [] and "Approved" in all_text(card.params)
    assert len(dms(rig.slack.calls(), ALICE)) == 1


def test_requests_a_stopped_process_took_are_decided_by_the_next_one(sqlite_url, monkeypatch):
    first = make_rig(sqlite_url).start()
    try:
        propose_one(first)
        monkeypatch.setattr(first, "decide", lambda: 0)
        assert first.click(LEAD, "topic_approve", "1", channel=CHANNEL).status == 200
        assert first.command(ALICE, "/topic", "Taken before the crash", channel=CHANNEL).status == 200
    finally:
        # The process ends with both requests acknowledged, neither decided.
        # Slack (here, its stand-in) still holds the command's response_url.
        first.stop(slack=False)

    second = make_rig(sqlite_url).start()
    try:
        assert [r.status for r in requests(second) + requests(second, "topic.propose")] == ["pending", "done", "pending"]
        assert second.decide() == 2
        second.deliver()
        assert topic_status(second, 1) == "approved"
        assert topic_status(second, 2) == "proposed"
        [confirmation] = first.slack.responses(first.last_response_url)
        assert "Taken before the crash" in confirmation.params["text"], "the reply still reaches the person"
        assert len(dms(second.slack.calls(), ALICE)) == 1
        assert second.decide() == 0, "nothing is decided twice"
        assert decisions(second) == 1
    finally:
        second.stop()
        first.slack.stop()


def test_a_request_another_worker_already_decided_is_rolled_back_not_done_twice(rig):
    propose_one(rig)
    original = rig.app.inbox.jobs["topic.approve"]

    def meanwhile_another_worker_finished_it(payload):
        # Its lease ran out while it was stalled; another worker decided it.
        with rig.app.engine.begin() as conn:
            conn.execute(update(InboxRequest).where(InboxRequest.kind == "topic.approve").values(status="done"))
        original(payload)

    rig.app.inbox.jobs["topic.approve"] = meanwhile_another_worker_finished_it
    rig.click(LEAD, "topic_approve", "1", channel=CHANNEL)
    assert topic_status(rig, 1) == "proposed", "this worker's decision was rolled back"
    assert decisions(rig) == 0
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.kind == "dm")) == 0


def test_an_unexpected_failure_is_retried_and_a_lasting_one_answered(rig):
    propose_one(rig)
    propose_one(rig, "Second idea")
    original = rig.app.inbox.jobs["topic.approve"]
    failures = {"1": 1, "2": 99}

    def flaky(payload):
        key = str(payload["topic_id"])
        if failures[key]:
            failures[key] -= 1
            raise RuntimeError("database went away")
        original(payload)

    rig.app.inbox.jobs["topic.approve"] = flaky
    assert rig.click(LEAD, "topic_approve", "1", channel=CHANNEL).json() is None
    [req] = requests(rig)
    assert (req.status, req.attempts, req.last_error) == ("pending", 1, "RuntimeError: database went away")
    rig.clock.advance(timedelta(seconds=1))
    assert rig.decide() == 1
    assert topic_status(rig, 1) == "approved"

    rig.click(LEAD, "topic_approve", "2", channel=CHANNEL)
    url = rig.last_response_url
    for _ in range(inbox.MAX_ATTEMPTS):
        rig.clock.advance(timedelta(seconds=10))
        rig.decide()
    assert requests(rig)[-1].status == "failed"
    assert topic_status(rig, 2) == "proposed"
    rig.deliver()
    [answer] = rig.slack.responses(url)
    assert "something went wrong" in answer.params["text"] and answer.params["response_type"] == "ephemeral"


def test_concurrent_clicks_share_commits_and_each_is_stored_once(rig, monkeypatch):
    from storage import inbox as inbox_rows

    slow_disk = threading.Event()
    write = inbox_rows.insert_requests

    def first_write_is_slow(conn, rows):
        if not slow_disk.is_set():
            slow_disk.set()
            time.sleep(0.2)  # while it lasts, the other clicks queue behind it
        write(conn, rows)

    monkeypatch.setattr(inbox_rows, "insert_requests", first_write_is_slow)
    commits = []
    event.listen(rig.app.engine, "commit", lambda conn: commits.append(1))
    start = threading.Barrier(40)

    def click(n: int) -> None:
        start.wait()
        rig.app.inbox.put("topic.approve", {"user": LEAD, "topic_id": n, "response_url": None})

    threads = [threading.Thread(target=click, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.payload["topic_id"] for r in requests(rig)) == list(range(40))
    assert len(commits) <= 3, f"40 clicks took {len(commits)} commits"


def test_a_worker_stopped_mid_batch_hands_the_rest_back_for_the_next_start(sqlite_url):
    first = make_rig(sqlite_url).start()
    try:
        for n in range(3):
            propose_one(first, f"Idea {n}")
        original = first.app.inbox.jobs["topic.approve"]

        def stop_after_this_one(payload):
            original(payload)
            first.app.inbox_worker.stop()  # SIGTERM arrives while the batch is being decided

        first.app.inbox.jobs["topic.approve"] = stop_after_this_one
        for n in range(1, 4):  # three clicks waiting together, leased as one batch
            first.app.inbox.put("topic.approve", {"user": LEAD, "topic_id": n, "response_url": None})
        assert first.decide() == 1
    finally:
        first.stop()

    second = make_rig(sqlite_url).start()
    try:
        assert [r.claimed_until for r in requests(second) if r.status == "pending"] == [None, None]
        assert second.decide() == 2, "taken at once, without waiting for a lease to run out"
        assert [topic_status(second, n) for n in (1, 2, 3)] == ["approved"] * 3
        assert decisions(second) == 3
    finally:
        second.stop()
