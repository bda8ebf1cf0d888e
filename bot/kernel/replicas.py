"""Replicas share out the workspaces' DMs and posts, so that each workspace is paced in one place.

Slack's limits are per workspace and app. Each replica's pacer knew only its own posts, so with two
replicas a fan-out sent each workspace up to twice what it allows: Slack answered 429, and every
429 held its workspace back for a second or more (findings item 22).

Each replica's outbox worker now says it is alive every ``BEAT`` seconds, in the database
(``storage/replicas.py``); one silent for ``TTL`` is taken for gone. A workspace's DMs and channel
posts, the kinds a job sends by the thousand, go through one replica only: the workspace's owner,
by rendezvous hashing over the replicas alive, so a replica joining or leaving moves only its own
share. The rest (cards, Home tabs, responses, files) still go through whichever replica sees them
first: there are few of them, and a card redrawn after a click should not wait for its owner's next
poll. A DM after a click may wait for that poll (``OutboxWorker``'s, a second).

Sharing by how many notices a round holds did not do: once the owner had spent a workspace's
burst, the last few notices looked small to the other replica, which sent them at once and met
the 429 all the same.

This is about pacing only. What keeps a notice from going out twice is still its lease."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.loop import BackgroundLoop
from storage import replicas as replica_rows
from storage.db import transaction
from storage.outbox import Due

log = logging.getLogger(__name__)

BEAT = 5.0  # seconds between two "alive" of a replica
TTL = timedelta(seconds=15)  # a replica not heard of for this long is gone
SHARED_OUT = frozenset({notices.DM, notices.POST})  # the kinds one replica per workspace delivers


def owner(workspace: str, live: Sequence[str]) -> str:
    """The replica of ``live`` that delivers ``workspace``'s backlog: the one whose hash with the
    workspace is highest, the same on every replica that sees the same replicas."""
    return max(live, key=lambda r: hashlib.blake2b(f"{r}\0{workspace}".encode(), digest_size=8).digest())


class Replicas(BackgroundLoop):
    """This process's replica: its id, the replicas alive as of its last beat, and its share."""

    thread_name = "opsbot-replicas"

    def __init__(self, db: sessionmaker[Session], clock: Clock, *, replica_id: str | None = None,
                 beat: float = BEAT, ttl: timedelta = TTL) -> None:
        super().__init__(poll_interval=beat)
        self.db, self.clock, self.ttl = db, clock, ttl
        self.id = replica_id or uuid.uuid4().hex
        self.live: tuple[str, ...] = (self.id,)  # alone until the first beat says otherwise
        self._beaten = False  # whether this replica's row may be in the table

    def drain(self) -> int:
        """One beat: this replica is alive; learn which others are."""
        now = self.clock.now()
        self._beaten = True
        with transaction(self.db) as s:
            live = tuple(replica_rows.beat(s, self.id, now, now - self.ttl))  # this one among them
        self.live = live
        return len(self.live)

    def start(self) -> None:
        """Beat now, before this replica's worker takes its first round, then every ``BEAT``."""
        try:
            self.drain()
        except Exception:  # the loop beats again; until then this replica counts only itself
            log.exception("replica %s: the first beat failed", self.id)
        super().start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop beating and say so, so that the others take this replica's share at once."""
        super().stop(timeout)
        if self._beaten:  # a worker that never started (tests, the CLI's drains) has no row to remove
            try:
                with transaction(self.db) as s:
                    replica_rows.leave(s, self.id)
                self._beaten = False
            except Exception:  # the others still take over once the TTL has passed
                log.exception("could not remove replica %s", self.id)
        self.live = (self.id,)

    def others(self) -> list[str]:
        """The other replicas alive now, read without joining them: a process that delivers once and
        exits (``opsbot jobs run``) leaves its notices to them rather than race them."""
        now = self.clock.now()
        with transaction(self.db) as s:
            return [r for r in replica_rows.alive(s, now - self.ttl) if r != self.id]

    def share(self, due: list[Due]) -> list[Due]:
        """This replica's part of a round: the DMs and posts of the workspaces it owns, and every
        notice of another kind."""
        live = self.live
        if len(live) == 1:
            return due
        mine: dict[str, bool] = {}
        for d in due:
            if d.kind in SHARED_OUT and d.workspace not in mine:
                mine[d.workspace] = owner(d.workspace, live) == self.id
        return [d for d in due if d.kind not in SHARED_OUT or mine[d.workspace]]
