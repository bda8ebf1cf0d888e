"""Replicas share out the workspaces' DMs and posts (bot/kernel/replicas.py): with several opsbot
processes on one database, each workspace's DMs go through one replica only, so that they are paced
in one place and Slack's per-workspace limit holds; cards and other kinds go through any replica; a
replica that stops, or stops saying it is alive, leaves its share to the others."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.devtools.rig import Rig
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel import notices
from bot.kernel.outbox import OutboxWorker, Pacer
from bot.kernel.replicas import TTL, Replicas, owner
from storage.db import transaction
from storage.models import OutboxNotice, Replica
from storage.outbox import Due
from tests.helpers import dms
from tests.test_outbox_workspaces import ALPHA, BETA, WORKSPACES, remind
from tests.test_outbox_workspaces import rig as rig  # noqa: F401  (the fixture: two teams, two workspaces)


def ids_owning_one_workspace_each() -> tuple[str, str]:
    """Two replica ids of which each owns one of the two workspaces (Alpha's and Beta's)."""
    for a, b in itertools.combinations([f"replica-{n}" for n in range(20)], 2):
        if owner("T0A", (a, b)) == a and owner("T0B", (a, b)) == b:
            return a, b
    raise AssertionError("no pair of ids splits the two workspaces")


@contextmanager
def two_replicas(rig: Rig) -> Iterator[tuple[OutboxWorker, OutboxWorker]]:
    """Two outbox workers on the rig's database, as two processes would have, each having said it is
    alive (and so knowing the other): the first owns Alpha's workspace, the second Beta's."""
    app = rig.app.worker
    workers = [OutboxWorker(db=rig.app.db, clock=rig.clock, slack=app.slack, loaders=app.loaders,
                            replicas=Replicas(rig.app.db, rig.clock, replica_id=rid))
               for rid in ids_owning_one_workspace_each()]
    try:
        for w in workers + workers:  # every beat, then every beat again: each has seen the other
            w.replicas.drain()
        yield workers[0], workers[1]
    finally:
        for w in workers:
            w.stop()


def pending(rig: Rig) -> set[str]:
    with transaction(rig.app.db) as s:
        return set(s.scalars(select(OutboxNotice.recipient).where(OutboxNotice.status == "pending")))


def test_each_workspace_has_one_owner_and_a_replica_leaving_moves_only_its_own_share():
    workspaces = [f"T{n:04d}" for n in range(600)]
    three = ("a", "b", "c")
    owners = {w: owner(w, three) for w in workspaces}
    assert set(owners.values()) == set(three)
    assert all(150 <= list(owners.values()).count(r) <= 250 for r in three), "shared out about evenly"
    assert owners == {w: owner(w, ("c", "a", "b")) for w in workspaces}, "the same whatever order they are seen in"
    two = {w: owner(w, ("a", "b")) for w in workspaces}
    assert all(two[w] == owners[w] for w in workspaces if owners[w] != "c"), "a's and b's workspaces stay theirs"
    assert {two[w] for w in workspaces if owners[w] == "c"} == {"a", "b"}, "c's share goes to both"


def test_a_replica_takes_the_dms_of_the_workspaces_it_owns_and_every_notice_of_another_kind():
    r = Replicas(db=None, clock=None, replica_id="a")  # type: ignore[arg-type]  (no database: no beat)
    due = [Due(1, notices.DM, "U1", "T1"), Due(2, notices.POST, "C1", "T1"), Due(3, notices.CARD, "C1", "T1"),
           Due(4, notices.HOME, "U1", "T1"), Due(5, notices.RESPONSE, "", "T1"), Due(6, notices.DM, "U2", "T2")]
    assert r.share(due) == due, "alone, a replica delivers everything"
    r.live = ("a", "b")
    mine = {w for w in ("T1", "T2") if owner(w, r.live) == "a"}
    assert [d.id for d in r.share(due)] == [d.id for d in due
                                            if d.kind not in (notices.DM, notices.POST) or d.workspace in mine]


def test_with_two_replicas_each_delivers_the_reminders_of_its_own_workspace_only(rig):
    remind(rig)
    with two_replicas(rig) as (alpha_owner, beta_owner):
        assert beta_owner.drain() == len(BETA)
        assert pending(rig) == set(ALPHA), "Beta's owner left Alpha's reminders to Alpha's owner"
        assert beta_owner.drain() == 0, "and leaves them however often it looks"
        assert alpha_owner.drain() == len(ALPHA)
    assert pending(rig) == set()
    for user in ALPHA + BETA:
        assert len(dms(rig.slack.calls(), user)) == 1, f"{user}: one reminder"


def test_two_replicas_delivering_at_once_stay_within_a_workspaces_limit(rig):
    """Each replica's pacer allows a workspace a burst of 2 posts, then 1 a second. Both replicas
    deliver at the same time: had each sent Alpha's three reminders as it found them, the three
    would have gone out at once, over the limit."""
    remind(rig)
    at: dict[str, float] = {}

    def post(params: dict) -> dict:
        at[params["channel"]] = time.monotonic()
        return SlackStandIn._chat_post_message(rig.slack, params)

    rig.slack.on("chat.postMessage", post)
    with two_replicas(rig) as workers:
        for w in workers:
            w.pacer = Pacer(channel=(100.0, 100), workspace=(1.0, 3), margin=1.0)  # a burst of 2, then 1/s
        rounds = [threading.Thread(target=w.drain) for w in workers]
        for t in rounds:
            t.start()
        for t in rounds:
            t.join(30)
    assert sorted(at) == sorted(ALPHA + BETA)
    alpha = sorted(at[u] for u in ALPHA)
    assert alpha[2] - alpha[0] >= 0.9, "Alpha's third reminder waited for its limit"
    assert len(rig.slack.calls("chat.postMessage")) == len(ALPHA + BETA), "each reminder once"


def test_a_replica_that_stops_leaves_its_share_to_the_other_at_its_next_beat(rig):
    remind(rig)
    with two_replicas(rig) as (alpha_owner, beta_owner):
        alpha_owner.replicas.stop()
        with transaction(rig.app.db) as s:
            assert s.scalars(select(Replica.id)).all() == [beta_owner.replicas.id], "it said it stopped"
        beta_owner.replicas.drain()
        assert beta_owner.drain() == len(ALPHA + BETA)
    assert pending(rig) == set()


def test_a_replica_silent_for_longer_than_the_ttl_is_taken_for_gone(rig):
    remind(rig)
    with two_replicas(rig) as (alpha_owner, beta_owner):
        rig.clock.advance(TTL - timedelta(seconds=1))
        beta_owner.replicas.drain()
        assert beta_owner.drain() == len(BETA), "Alpha's owner is still alive for the others"
        rig.clock.advance(timedelta(seconds=2))  # it has not beaten since: past the TTL
        beta_owner.replicas.drain()
        assert beta_owner.replicas.live == (beta_owner.replicas.id,)
        assert beta_owner.drain() == len(ALPHA)
        with transaction(rig.app.db) as s:
            assert s.scalar(select(func.count()).select_from(Replica)) == 1, "the silent one was forgotten"
    assert pending(rig) == set()


@pytest.mark.parametrize("kind", [notices.CARD, notices.HOME])
def test_cards_and_home_tabs_go_through_any_replica(rig, kind):
    """A card redrawn after a click goes out from the replica that took the click, without waiting
    for the workspace's owner."""
    with two_replicas(rig) as (alpha_owner, beta_owner):
        due = [Due(1, kind, "C0ALPHA", WORKSPACES["Alpha"])]
        assert beta_owner.replicas.share(due) == due
        assert alpha_owner.replicas.share(due) == due


def test_started_workers_say_they_are_alive_and_remove_themselves_when_they_stop(rig):
    app = rig.app.worker
    first = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=app.slack, loaders=app.loaders, poll_interval=60)
    second = OutboxWorker(db=rig.app.db, clock=rig.clock, slack=app.slack, loaders=app.loaders, poll_interval=60)
    try:
        first.start()
        second.start()
        assert second.replicas.live == tuple(sorted([first.replicas.id, second.replicas.id])), \
            "a worker beats before its first round, and so knows who started before it"
    finally:
        first.stop()
        second.stop()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count()).select_from(Replica)) == 0
