"""The outbox: what Slack refused is retried and delivered once, what Slack
will never take is given up on without holding up the rest, and the worker
delivers on its own."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.devtools.rig import Rig
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel.first_post import CLAIM_LEASE
from bot.kernel.outbox import OutboxWorker
from storage.db import transaction
from storage.models import CardPost, OutboxNotice
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, SHANGHAI, make_rig, validate_all
from tests.helpers import all_text, dms

THU_10_SHANGHAI = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
LATER = timedelta(minutes=1)  # past any backoff (at most MAX_BACKOFF)


@pytest.fixture
def rig(sqlite_url: str) -> Iterator[Rig]:
    r = make_rig(sqlite_url).start()
    try:
        yield r
        validate_all(r)
    finally:
        r.stop()


def propose(rig: Rig, title: str, user: str = ALICE) -> None:
    r = rig.command(user, "/topic", title, channel=CHANNEL)
    assert r.status == 200, r.body


def card_posts(rig: Rig, title: str, *, ok_only: bool = True) -> list:
    return [c for c in rig.slack.calls("chat.postMessage", ok_only=ok_only)
            if c.params.get("channel") == CHANNEL and title in all_text(c.params)]


def the_notice(rig: Rig, **where: Any) -> OutboxNotice:
    with transaction(rig.app.db) as s:
        rows = [n for n in s.scalars(select(OutboxNotice).order_by(OutboxNotice.id))
                if all(getattr(n, k) == v for k, v in where.items())]
    assert len(rows) == 1, rows
    return rows[0]


def card_notice(rig: Rig) -> OutboxNotice:
    with transaction(rig.app.db) as s:
        return s.scalars(select(OutboxNotice).where(OutboxNotice.kind == "card")
                         .order_by(OutboxNotice.id.desc())).first()


def warm_up(rig: Rig) -> None:
    """A first proposal, delivered: the profiles are cached, so the next
    notice's first Slack call is its own post."""
    propose(rig, "Warm-up idea")
    rig.deliver()
    rig.slack.clear()


# -- Slack refusing for now ----------------------------------------------------------


def test_a_card_slack_answered_500_to_is_retried_and_posted_once(rig):
    warm_up(rig)
    rig.slack.fail_next(1, status=500)
    propose(rig, "Second idea")
    rig.deliver()
    assert card_posts(rig, "Second idea") == []
    [refused] = card_posts(rig, "Second idea", ok_only=False)
    assert refused.status == 500
    assert card_notice(rig).status == "pending"

    rig.clock.advance(LATER)
    rig.deliver()
    rig.clock.advance(LATER)
    assert rig.deliver() == 0
    assert len(card_posts(rig, "Second idea")) == 1
    notice = card_notice(rig)
    assert (notice.status, notice.attempts) == ("delivered", 2)


def test_a_card_whose_connections_dropped_is_retried_and_posted_once(rig):
    warm_up(rig)
    rig.slack.drop_connections_next(2)
    propose(rig, "Second idea")
    rig.deliver()
    rig.clock.advance(LATER)
    rig.deliver()
    rig.clock.advance(LATER)
    rig.deliver()
    assert len(card_posts(rig, "Second idea")) == 1
    assert len(card_posts(rig, "Second idea", ok_only=False)) == 3, "two dropped attempts, then the post"
    assert card_notice(rig).status == "delivered"


def test_a_notice_is_retried_until_slack_recovers_from_an_outage(rig):
    warm_up(rig)
    rig.slack.set_outage(503)
    propose(rig, "During the outage")
    for _ in range(5):
        rig.deliver()
        rig.clock.advance(LATER)
    assert card_posts(rig, "During the outage") == []
    rig.slack.set_outage(None)
    rig.deliver()
    assert len(card_posts(rig, "During the outage")) == 1
    assert card_notice(rig).status == "delivered"


# -- Slack refusing for good ------------------------------------------------------------


def refuse_dms_to(slack: SlackStandIn, user: str, error: str) -> None:
    """chat.postMessage answers ``error`` for DMs to ``user``, as usual otherwise."""
    def post(params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel") == user:
            return {"ok": False, "error": error}
        return SlackStandIn._chat_post_message(slack, params)

    slack.on("chat.postMessage", post)


def test_a_notice_slack_refuses_for_good_fails_once_and_does_not_hold_up_the_others(rig):
    refuse_dms_to(rig.slack, ALICE, "invalid_blocks")
    # Alice is first in the team: her reminder is written, and tried, first.
    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True)
    rig.deliver()
    for _ in range(3):
        rig.clock.advance(timedelta(hours=1))
        rig.deliver()

    assert len(dms(rig.slack.calls(), BOB)) == 1, "Bob's reminder went out"
    assert dms(rig.slack.calls(), ALICE) == []
    tried = [c for c in rig.slack.all_calls() if c.method == "chat.postMessage" and c.params.get("channel") == ALICE]
    assert len(tried) == 1, "a refusal for good is not retried"
    failed = the_notice(rig, recipient=ALICE, kind="dm")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "invalid_blocks" in failed.last_error
    assert the_notice(rig, recipient=BOB, kind="dm").status == "delivered"


# -- several workers ------------------------------------------------------------------------


def test_two_workers_draining_at_once_deliver_each_notice_exactly_once(database_url):
    rig = make_rig(database_url).start()
    try:
        for week in range(8):  # 16 reminders: Alice and Bob, eight weeks
            rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI + timedelta(weeks=week), manual=True)
        gateway = rig.app.worker.slack
        workers = [OutboxWorker(db=rig.app.db, clock=rig.clock, slack=gateway, loaders=rig.app.worker.loaders, batch=4) for _ in range(2)]
        barrier = threading.Barrier(2)
        delivered = [0, 0]
        errors: list[BaseException] = []

        def drain(i: int) -> None:
            barrier.wait()
            try:
                delivered[i] = workers[i].drain()
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert rig.deliver() == 0, "nothing left for a third worker"

        with transaction(rig.app.db) as s:
            notices = s.scalars(select(OutboxNotice).where(OutboxNotice.kind == "dm")).all()
        assert len(notices) == 16 and {n.status for n in notices} == {"delivered"}
        assert sum(delivered) == 16, delivered
        for user in (ALICE, BOB):
            assert len(dms(rig.slack.calls(), user)) == 8
        posts = rig.slack.calls("chat.postMessage", ok_only=False)
        assert len(posts) == 16, "no notice was posted twice"
    finally:
        rig.stop()


# -- the background worker ---------------------------------------------------------------------


def test_the_background_worker_posts_a_new_card_without_being_asked_and_stops_promptly(rig):
    rig.app.worker.start()
    thread = rig.app.worker._thread
    assert thread is not None and thread.is_alive()
    propose(rig, "Delivered in the background")
    rig.slack.wait_for(lambda calls: any(c.method == "chat.postMessage" and c.ok and
                                         "Delivered in the background" in all_text(c.params) for c in calls),
                       timeout=10)
    rig.app.worker.stop()
    assert not thread.is_alive(), f"stop() waited for the worker to finish; it was at:\n{_where(thread)}"
    assert card_notice(rig).status == "delivered"


def _where(thread: threading.Thread) -> str:
    """Where a thread is now, and every other thread of the process: what it waits on."""
    frames = sys._current_frames()
    own = frames.get(thread.ident or 0)
    others = [f"-- {t.name}:\n" + "".join(traceback.format_stack(frames[t.ident]))
              for t in threading.enumerate() if t.ident in frames and t is not thread]
    return ("".join(traceback.format_stack(own)) if own else "(gone)\n") + "".join(others)


# -- the first post of a card, raced -----------------------------------------------------------


class MeetAfterLoading:
    """The worker's loaders, but a card's load waits until every racing worker
    has loaded it too: all of them hold it with no message yet, as when two
    workers pick up two notices of one new card in the same instant."""

    def __init__(self, loaders: Any, barrier: threading.Barrier) -> None:
        self._loaders, self._barrier = loaders, barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loaders, name)

    def load(self, s, notice, now):
        loaded = self._loaders.load(s, notice, now)
        if notice.kind == "card":
            self._barrier.wait(timeout=30)
        return loaded


def more_card_notices(rig: Rig, like: OutboxNotice, n: int) -> list[int]:
    """``n`` more waiting notices of the same card: what two requests committing
    at once leave behind (each INSERT … WHERE NOT EXISTS saw no other waiting)."""
    with transaction(rig.app.db) as s:
        rows = [OutboxNotice(kind="card", recipient=like.recipient, team_id=like.team_id,
                             coalesce_key=like.coalesce_key, payload=dict(like.payload), status="pending",
                             attempts=0, next_attempt_at=like.next_attempt_at, created_at=like.created_at)
                for _ in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


WORKERS = 4


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_new_card_raced_by_several_workers_is_posted_once_and_its_later_changes_arrive_as_updates(database_url):
    rig = make_rig(database_url).start()
    try:
        warm_up(rig)
        propose(rig, "Raced idea")
        first = card_notice(rig)
        ids = [first.id, *more_card_notices(rig, first, WORKERS - 1)]
        barrier = threading.Barrier(WORKERS)
        workers = [OutboxWorker(db=rig.app.db, clock=rig.clock, slack=rig.app.worker.slack,
                                loaders=MeetAfterLoading(rig.app.worker.loaders, barrier)) for _ in range(WORKERS)]
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def deliver(worker: OutboxWorker, notice_id: int) -> None:
            try:
                outcomes.append(worker.deliver_one(notice_id))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=deliver, args=(w, i)) for w, i in zip(workers, ids, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert sorted(outcomes) == ["delivered"] + ["waiting"] * (WORKERS - 1)
        [card] = card_posts(rig, "Raced idea", ok_only=False)
        with transaction(rig.app.db) as s:
            topic = s.scalars(select(Topic).where(Topic.title == "Raced idea")).one()
            claim = s.get_one(CardPost, ("topic", topic.id))
        assert topic.card_ts == card.response["ts"]

        # The supervisor approves: the card changes in place, and so do the notices that lost the race.
        assert rig.click(LEAD, "topic_approve", str(topic.id), message=card).status == 200
        rig.clock.advance(LATER)
        rig.deliver()
        assert len(card_posts(rig, "Raced idea", ok_only=False)) == 1, "the card was posted once"
        updates = [c for c in rig.slack.calls("chat.update") if c.params.get("ts") == card.response["ts"]]
        assert updates and "Approved by Lena Lead" in all_text(updates[-1].params)
        with transaction(rig.app.db) as s:
            cards = s.scalars(select(OutboxNotice).where(OutboxNotice.kind == "card",
                                                         OutboxNotice.coalesce_key == first.coalesce_key)).all()
        assert {n.status for n in cards} == {"delivered"}
        assert claim.notice_id in ids
    finally:
        rig.stop()


def test_a_card_whose_first_post_was_claimed_by_a_worker_that_died_goes_out_once_the_claim_runs_out(rig):
    warm_up(rig)
    propose(rig, "Orphaned idea")
    notice = card_notice(rig)
    now = rig.clock.now()
    with transaction(rig.app.db) as s:  # a worker claimed the post, then died before calling Slack
        topic = s.scalars(select(Topic).where(Topic.title == "Orphaned idea")).one()
        s.add(CardPost(item="topic", item_id=topic.id, notice_id=notice.id + 1000, claimed_at=now,
                       expires_at=now + CLAIM_LEASE))
    rig.deliver()
    rig.clock.advance(CLAIM_LEASE - LATER)
    rig.deliver()
    assert card_posts(rig, "Orphaned idea", ok_only=False) == [], "nobody posts while the claim may be live"
    assert card_notice(rig).status == "pending"

    rig.clock.advance(LATER)
    rig.deliver()
    rig.clock.advance(LATER)
    rig.deliver()
    [card] = card_posts(rig, "Orphaned idea", ok_only=False)
    assert card_notice(rig).status == "delivered"
    with transaction(rig.app.db) as s:
        assert s.get_one(Topic, topic.id).card_ts == card.response["ts"]
        assert s.get_one(CardPost, ("topic", topic.id)).notice_id == notice.id


def test_a_first_post_slack_refused_is_claimed_again_by_the_retry(rig):
    warm_up(rig)
    rig.slack.fail_next(1, status=500)
    propose(rig, "Refused first")
    rig.deliver()
    with transaction(rig.app.db) as s:
        topic = s.scalars(select(Topic).where(Topic.title == "Refused first")).one()
        assert s.get(CardPost, ("topic", topic.id)) is None, "the refused post gave its claim back"
    rig.clock.advance(LATER)
    rig.deliver()
    assert len(card_posts(rig, "Refused first")) == 1
