"""The outbox paces per workspace: Slack's limits are per workspace and app,
so a workspace at its limit, or held back after a 429, holds up no other,
and deliveries to different workspaces run side by side (one at a time
within a workspace). Single-workspace pacing is tests/test_outbox.py's and
tests/test_bench.py's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.devtools.rig import Rig
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel.lanes import Crew
from bot.kernel.outbox import OutboxWorker, Pacer
from storage import outbox as outbox_rows
from storage.db import transaction
from storage.models import OutboxNotice, Team
from tests.conftest import make_rig
from tests.helpers import dms

SHANGHAI = ZoneInfo("Asia/Shanghai")
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
LATER = timedelta(minutes=1)  # past any backoff and any hold after a 429

ALPHA = ["U0A1", "U0A2", "U0A3"]  # in workspace T0A
BETA = ["U0B1", "U0B2"]  # in workspace T0B
TEAMS = {"teams": [
    {"name": "Alpha", "channel": "C0ALPHA", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": ["U0LEADA"],
     "members": ALPHA},
    {"name": "Beta", "channel": "C0BETA", "timezone": "Asia/Shanghai", "country": "CN", "supervisors": ["U0LEADB"],
     "members": BETA},
]}
USERS = {u: {"name": u.lower(), "tz": "Asia/Shanghai"} for u in [*ALPHA, *BETA, "U0LEADA", "U0LEADB"]}
WORKSPACES = {"Alpha": "T0A", "Beta": "T0B"}


@pytest.fixture
def rig(database_url: str) -> Iterator[Rig]:
    """Two teams, each in a workspace of its own."""
    r = make_rig(database_url, teams=TEAMS, users=USERS, start=THU_10).start()
    try:
        with transaction(r.app.db) as s:
            for name, workspace in WORKSPACES.items():
                s.execute(update(Team).where(Team.name == name).values(workspace=workspace))
        yield r
    finally:
        r.stop()


def remind(rig: Rig, team: str | None = None) -> None:
    """The quota reminder, by hand: a DM to each member (of ``team``, or of both)."""
    rig.app.jobs.run("quota-reminder", team=team, now=THU_10, manual=True)


@contextmanager
def worker(rig: Rig, **kw: Any) -> Iterator[OutboxWorker]:
    """A worker of the rig's app with its own pacer (and so on), stopped afterwards."""
    app = rig.app.worker
    w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=app.slack, loaders=app.loaders, **kw)
    try:
        yield w
    finally:
        w.stop()


def pending_dm(rig: Rig, user: str) -> OutboxNotice:
    with transaction(rig.app.db) as s:
        return s.scalars(select(OutboxNotice).where(OutboxNotice.kind == "dm", OutboxNotice.recipient == user)).one()


class FakeTime:
    """The pacer's clock: it moves only when the pacer waits on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def posted_at(slack: SlackStandIn, time: FakeTime) -> dict[str, float]:
    """chat.postMessage answered as usual, recording the pacer's time of each post by channel."""
    at: dict[str, float] = {}

    def post(params: dict[str, Any]) -> dict[str, Any]:
        at[params["channel"]] = time.now
        return SlackStandIn._chat_post_message(slack, params)

    slack.on("chat.postMessage", post)
    return at


def test_due_notices_name_each_ones_workspace_from_its_team(rig):
    remind(rig)
    with transaction(rig.app.db) as s:
        outbox_rows.enqueue_notice(s, kind="dm", recipient="U0NOTEAM", payload={"type": "answer", "text": "hi"},
                                   now=rig.clock.now())
        due = outbox_rows.due_notices(s, rig.clock.now(), 100)
        skipping = outbox_rows.due_notices(s, rig.clock.now(), 100, skip_workspaces={"T0A"})
    workspaces = {n.recipient: n.workspace for n in due}
    assert workspaces == {**dict.fromkeys(ALPHA, "T0A"), **dict.fromkeys(BETA, "T0B"), "U0NOTEAM": ""}
    assert {n.recipient for n in skipping} == {*BETA, "U0NOTEAM"}


def test_a_round_takes_each_workspaces_first_notices_before_any_ones_next(rig):
    """A fan-out's round reaches every workspace with something due (each has limits of its own),
    not only the workspaces whose notices were written first."""
    remind(rig)  # Alpha's three reminders are written before Beta's two
    with transaction(rig.app.db) as s:
        due = outbox_rows.due_notices(s, rig.clock.now(), 4)
    assert [n.workspace for n in due] == ["T0A", "T0B", "T0A", "T0B"]
    assert [n.recipient for n in due if n.workspace == "T0A"] == ALPHA[:2], "oldest first within a workspace"


def test_a_workspace_at_its_limit_does_not_delay_another_workspaces_dms(rig):
    remind(rig)  # Alpha's three reminders are written, and due, before Beta's two
    time = FakeTime()
    at = posted_at(rig.slack, time)
    # Posts to one workspace: a burst of 2 then 1 a second; no channel limit to speak of.
    pacer = Pacer(channel=(100.0, 100), workspace=(1.0, 3), margin=1.0, monotonic=time.monotonic, sleep=time.sleep)

    with worker(rig, pacer=pacer) as w:
        assert w.drain() == 5, "everything goes out in one drain"

    assert sorted(at) == sorted(ALPHA + BETA)
    assert [at[u] for u in BETA] == [0.0, 0.0], "Beta's DMs went out at once while Alpha waited for its limit"
    alpha = sorted(at[u] for u in ALPHA)
    assert alpha[:2] == [0.0, 0.0] and alpha[2] >= 1.0, "Alpha's third post waited a second: its limit holds"
    assert time.waits, "the pacer did make Alpha wait"


def test_one_workspace_waiting_for_its_limit_holds_up_no_other_even_with_one_thread(rig):
    remind(rig)
    time = FakeTime()
    at = posted_at(rig.slack, time)
    pacer = Pacer(channel=(100.0, 100), workspace=(1.0, 2), margin=1.0, monotonic=time.monotonic, sleep=time.sleep)

    with worker(rig, pacer=pacer, threads=1) as w:
        assert w.drain() == 5

    assert max(at[u] for u in BETA) <= 1.0, "Beta's second post waited only for Beta's own limit"
    assert sorted(at[u] for u in ALPHA) == [0.0, 1.0, 2.0], "Alpha at 1 post a second"


def test_a_429_in_one_workspace_holds_back_that_workspace_only(rig):
    remind(rig, "Alpha")
    rig.slack.rate_limit_next(1, retry_after=20)
    rig.deliver()
    first = [c for c in rig.slack.all_calls() if c.method == "chat.postMessage"]
    assert [c.status for c in first] == [429], "Alpha's first reminder was refused, and its turn ended there"

    remind(rig, "Beta")
    rig.deliver()
    for user in BETA:
        assert len(dms(rig.slack.calls(), user)) == 1, f"{user} in the other workspace got the reminder"
    posts = [c for c in rig.slack.all_calls() if c.method == "chat.postMessage"]
    assert {c.params["channel"] for c in posts[1:]} == set(BETA), "Alpha is held back: nothing tried there"
    assert {pending_dm(rig, u).status for u in ALPHA} == {"pending"}

    rig.clock.advance(LATER)
    rig.deliver()
    for user in ALPHA + BETA:
        assert len(dms(rig.slack.calls(), user)) == 1, user
        assert pending_dm(rig, user).status == "delivered"


class Watching:
    """The Slack side of the worker, watching its calls from start to answer:
    how many are in flight at once in each workspace (the team of the DM's
    recipient); and Alpha's first one waits until a Beta DM was answered
    (outside any transaction, as a slow Slack call would)."""

    def __init__(self, slack: Any, workspaces: dict[str, str]) -> None:
        self._slack, self._workspaces = slack, workspaces
        self._watch = threading.Lock()
        self.running: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.beta_delivered = threading.Event()
        self.alpha_saw_beta: bool | None = None

    def deliver(self, kind: str, loaded: Any) -> dict[str, Any]:
        workspace = self._workspaces[loaded.channel]
        with self._watch:
            self.running[workspace] = self.running.get(workspace, 0) + 1
            self.most[workspace] = max(self.most.get(workspace, 0), self.running[workspace])
            first_alpha = workspace == "T0A" and self.alpha_saw_beta is None
            if first_alpha:
                self.alpha_saw_beta = False
        try:
            if first_alpha:  # a slow delivery: the other workspace must not wait for it
                self.alpha_saw_beta = self.beta_delivered.wait(timeout=30)
            return self._slack.deliver(kind, loaded)
        finally:
            with self._watch:
                self.running[workspace] -= 1
            if workspace == "T0B":
                self.beta_delivered.set()

    def fetch_profile(self, user_id: str) -> Any:
        return self._slack.fetch_profile(user_id)


def test_deliveries_to_different_workspaces_run_side_by_side_and_one_at_a_time_within_each(rig):
    remind(rig)
    watching = Watching(rig.app.worker.slack, {**{u: "T0A" for u in ALPHA}, **{u: "T0B" for u in BETA}})
    w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=watching, loaders=rig.app.worker.loaders)
    try:
        assert w.drain() == 5
    finally:
        w.stop()
    assert watching.alpha_saw_beta is True, "a Beta DM went out while Alpha's first delivery was in flight"
    assert watching.most == {"T0A": 1, "T0B": 1}, "one delivery at a time within a workspace"
    for user in ALPHA + BETA:
        assert len(dms(rig.slack.calls(), user)) == 1, user


class Threads(Pacer):
    """The pacer, noting which thread each post waited in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def acquire(self, channel: str, stop: threading.Event | None = None, workspace: str = "") -> bool:
        self.threads.add(threading.current_thread().name)
        return super().acquire(channel, stop, workspace)


def test_in_the_single_workspace_mode_the_worker_delivers_in_its_own_thread_as_before(database_url):
    rig = make_rig(database_url, teams=TEAMS, users=USERS, start=THU_10).start()  # both teams in workspace ""
    try:
        remind(rig)
        pacer = Threads()
        with worker(rig, pacer=pacer) as w:
            assert w.drain() == 5
        assert pacer.threads == {threading.current_thread().name}, "one lane: no delivery in another thread"
        assert [c.params["channel"] for c in rig.slack.calls("chat.postMessage")] == ALPHA + BETA, "in order"
    finally:
        rig.stop()


EIGHT = {"teams": [{"name": f"Team {i}", "channel": f"C0T{i}", "timezone": "Asia/Shanghai", "country": "CN",
                    "supervisors": [f"U0L{i}"], "members": [f"U0M{i}"]} for i in range(8)]}
EIGHT_USERS = {u: {"name": u.lower(), "tz": "Asia/Shanghai"} for i in range(8) for u in (f"U0L{i}", f"U0M{i}")}


class InFlight:
    """The worker's Slack side, noting the most calls in flight at once."""

    def __init__(self, slack: Any) -> None:
        self._slack, self._lock, self.now, self.most = slack, threading.Lock(), 0, 0

    def deliver(self, kind: str, loaded: Any) -> dict[str, Any]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return self._slack.deliver(kind, loaded)
        finally:
            with self._lock:
                self.now -= 1

    def fetch_profile(self, user_id: str) -> Any:
        return self._slack.fetch_profile(user_id)


def test_while_slack_is_slow_to_answer_more_workspaces_are_sent_to_at_once_than_the_threads(database_url):
    rig = make_rig(database_url, teams=EIGHT, users=EIGHT_USERS, start=THU_10).start()
    try:
        with transaction(rig.app.db) as s:
            for i in range(8):
                s.execute(update(Team).where(Team.name == f"Team {i}").values(workspace=f"T0W{i}"))
        remind(rig)  # one DM in each of eight workspaces
        rig.slack.latency = {"chat.postMessage": 0.3}  # Slack's own round trip is 100–300 ms
        watch = InFlight(rig.app.worker.slack)
        w = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=watch, loaders=rig.app.worker.loaders, threads=4)
        try:
            assert w.drain() == 8
        finally:
            w.stop()
        assert watch.most > 4, "a run waiting on Slack freed its place for another workspace's"
        for i in range(8):
            assert len(dms(rig.slack.calls(), f"U0M{i}")) == 1
    finally:
        rig.stop()


def test_while_the_process_is_busy_a_slow_call_opens_no_more_places():
    crew = Crew(2, most=16)
    with crew.calling():
        spin_until = time.process_time() + 0.25
        while time.process_time() < spin_until:  # the wait is the interpreter's, not Slack's
            pass
        assert crew.limit() == 2
