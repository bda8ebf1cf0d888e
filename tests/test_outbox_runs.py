"""The outbox delivers a workspace's notices in runs (``bot/kernel/runs.py``):
several leased, loaded, sent and marked together. Each DM still goes exactly
once, in the language of its reader, under a live lease; a run that Slack
cuts short, or whose lease runs short, gives the rest back for the next
poll or another worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.devtools.rig import Rig
from bot.kernel.outbox import OutboxWorker
from storage.db import transaction
from storage.models import OutboxNotice, SlackUser
from tests.conftest import make_rig
from tests.helpers import all_text, dms

SHANGHAI = ZoneInfo("Asia/Shanghai")
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
LATER = timedelta(minutes=1)  # past any backoff and any hold after a 429

MEMBERS = [f"U0M{i}" for i in range(1, 7)]
TEAMS = {"teams": [{"name": "Ops", "channel": "C0OPS", "timezone": "Asia/Shanghai", "country": "CN",
                    "supervisors": ["U0LEAD"], "members": MEMBERS}]}
USERS = {u: {"name": u.lower(), "tz": "Asia/Shanghai"} for u in [*MEMBERS, "U0LEAD"]}
USERS["U0M4"] = {"name": "u0m4", "tz": "Asia/Shanghai", "locale": "zh-CN"}


@pytest.fixture
def rig(database_url: str) -> Iterator[Rig]:
    r = make_rig(database_url, teams=TEAMS, users=USERS, start=THU_10).start()
    try:
        yield r
    finally:
        r.stop()


def remind(rig: Rig) -> None:
    """The quota reminder, by hand: a DM to each of the six members."""
    rig.app.jobs.run("quota-reminder", now=THU_10, manual=True)


def statuses(rig: Rig) -> dict[str, tuple[str, bool]]:
    """Each member's reminder: (status, whether a lease holds it)."""
    with transaction(rig.app.db) as s:
        rows = s.scalars(select(OutboxNotice).where(OutboxNotice.kind == "dm")).all()
        return {n.recipient: (n.status, n.claimed_until is not None) for n in rows}


def each_reminded_once(rig: Rig) -> None:
    for user in MEMBERS:
        assert len(dms(rig.slack.calls(), user)) == 1, f"{user} got the reminder once"
    assert {s for s, _ in statuses(rig).values()} == {"delivered"}


class Slow:
    """The worker's Slack side, running ``before(n)`` ahead of its n-th call (from 1)."""

    def __init__(self, slack: Any, before: Any) -> None:
        self._slack, self._before, self.calls = slack, before, 0

    def deliver(self, kind: str, loaded: Any) -> dict[str, Any]:
        self.calls += 1
        self._before(self.calls)
        return self._slack.deliver(kind, loaded)

    def fetch_profile(self, user_id: str) -> Any:
        return self._slack.fetch_profile(user_id)


def test_a_run_sends_each_dm_once_in_its_readers_language_fetching_only_the_profiles_it_lacks(rig):
    # Everyone's profile is cached but U0M4's, who reads Chinese: the run fetches that one alone.
    remind(rig)
    with transaction(rig.app.db) as s:
        s.execute(SlackUser.__table__.delete().where(SlackUser.user_id == "U0M4"))
    rig.slack.clear()
    assert rig.deliver() == 6
    each_reminded_once(rig)
    assert [c.params["user"] for c in rig.slack.calls("users.info")] == ["U0M4"]
    [zh] = dms(rig.slack.calls(), "U0M4")
    [en] = dms(rig.slack.calls(), "U0M1")
    assert "选题" in all_text(zh.params) and "topic" in all_text(en.params).lower()


def test_a_run_cut_short_by_a_429_gives_the_rest_back_and_each_dm_still_goes_once(rig):
    rig.deliver()
    remind(rig)
    rig.slack.clear()
    slow = Slow(rig.app.worker.slack, lambda n: n == 3 and rig.slack.rate_limit_next(1, retry_after=20))
    w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=slow, loaders=rig.app.worker.loaders)
    try:
        assert w.drain() == 2
    finally:
        w.stop()
    posts = rig.slack.calls("chat.postMessage", ok_only=False)
    assert [c.status for c in posts] == [200, 200, 429], "nothing more was tried after Slack said 429"
    left = {u: v for u, v in statuses(rig).items() if v[0] == "pending"}
    assert len(left) == 4 and not any(leased for _, leased in left.values()), "the rest is given back, unleased"

    rig.clock.advance(LATER)
    rig.deliver()
    each_reminded_once(rig)


def test_a_run_whose_lease_runs_short_stops_and_another_worker_sends_the_rest_once(rig):
    rig.deliver()
    remind(rig)
    rig.slack.clear()
    # Slack takes 45 s to answer the second DM: the run's 60 s lease could run out before the last.
    slow = Slow(rig.app.worker.slack, lambda n: n == 2 and rig.clock.advance(timedelta(seconds=45)))
    w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=slow, loaders=rig.app.worker.loaders)
    try:
        assert w.drain(max_rounds=1) == 2
    finally:
        w.stop()
    assert sorted(v for v in statuses(rig).values()) == [("delivered", False)] * 2 + [("pending", False)] * 4
    assert rig.deliver() == 4, "another worker delivers what the run gave back, at once"
    each_reminded_once(rig)


def test_two_workers_draining_the_same_reminders_send_each_dm_once(rig):
    rig.deliver()
    remind(rig)
    rig.slack.clear()
    barrier = threading.Barrier(2)
    delivered: list[int] = []
    errors: list[BaseException] = []

    def drain() -> None:
        w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=rig.app.worker.slack, loaders=rig.app.worker.loaders)
        try:
            barrier.wait(10)
            delivered.append(w.drain())
        except BaseException as e:
            errors.append(e)
        finally:
            w.stop()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(delivered) == 6
    each_reminded_once(rig)


def test_what_slack_took_is_written_down_even_when_the_database_fails_mid_run(rig, monkeypatch):
    rig.deliver()
    remind(rig)
    rig.slack.clear()

    def renderer_bug(n: int) -> None:
        if n == 3:
            raise RuntimeError("a renderer bug")

    def database_gone(notice_id: int, e: Exception | str) -> str:
        raise OperationalError("UPDATE outbox_notices", {}, Exception("the database went away"))

    w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=Slow(rig.app.worker.slack, renderer_bug),
                     loaders=rig.app.worker.loaders)
    monkeypatch.setattr(w, "repeating", database_gone)
    try:
        with pytest.raises(OperationalError):
            w.drain()
    finally:
        w.stop()
    sent = [c.params["channel"] for c in rig.slack.calls("chat.postMessage")]
    assert len(sent) == 2
    assert {u: statuses(rig)[u][0] for u in sent} == dict.fromkeys(sent, "delivered"), "the two Slack took are marked"

    rig.clock.advance(timedelta(minutes=2))  # past the lease of those the run never got to
    rig.deliver()
    each_reminded_once(rig)
