"""The outbox's runs: several notices of one workspace leased, loaded, sent and marked together.

A lane (``bot/kernel/lanes.py``) hands the worker a run: the notices of one
workspace that Slack's limits let go now, each to a channel of its own. The
run costs two transactions however long it is (one leases and loads every
notice, one marks those Slack took; one more for each ``MARK_WITHIN`` its
sending takes) instead of two per notice: what a fan-out of thousands of
DMs spends most of its time on otherwise.

Each notice is still rendered from the store a moment before it is sent,
sent once under a live lease, and marked delivered within ``MARK_WITHIN`` of
Slack taking it: a crash in that window re-sends at most those notices,
exactly as one between a single send and its commit would. Anything out of
the ordinary (a profile to fetch, a notice that waits for another, Slack
refusing) takes the single-notice path of ``OutboxWorker``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.pacer import Pacer
from storage import outbox as outbox_rows
from storage import workspaces as workspace_rows
from storage.db import transaction
from storage.outbox import Due

# Where a notice goes: (Slack team id, Enterprise org id); ("", None) in the single-workspace mode.
Where = tuple[str, str | None]


class Worker(Protocol):
    """What a run needs of the outbox worker (``bot/kernel/outbox.py``): its single-notice path
    for anything out of the ordinary, and how it sends and records."""

    db: sessionmaker[Session]
    clock: Clock
    pacer: Pacer
    loaders: notices.NoticeLoaders
    stopping: threading.Event
    busy: Callable[[], bool]

    def give_way(self, busy: Callable[[], bool]) -> None: ...
    def deliver_one(self, notice_id: int) -> str: ...
    def slack_at(self, where: Where) -> Any: ...
    def load_with_profiles(self, notice_id: int, now: datetime, need: set[str], slack: Any) -> Any: ...
    def call(self, notice_id: int, kind: str, loaded: Any, slack: Any) -> dict[str, Any] | str: ...
    def mark(self, sent: list[tuple[int, str, dict[str, Any]]]) -> None: ...
    def waiting(self, notice_id: int, e: Exception) -> str: ...
    def repeating(self, notice_id: int, e: Exception | str) -> str: ...


# The kinds a run may hold: plain messages and Home tabs. A card's first post
# (claimed across workers), a file and a response keep the single-notice path.
BATCHED = (notices.DM, notices.POST, notices.HOME)
# At most this many notices in a run.
RUN = 25
# Slack's answers are written down at least this often (seconds): the most a
# crash can re-send is what was sent in this long.
MARK_WITHIN = 0.02
# A run stops sending this long before its lease would run out (the rest is given back).
LEASE_MARGIN = timedelta(seconds=20)


@dataclass
class _Leased:
    """One transaction's work: the run's notices leased and loaded."""

    until: datetime
    leased: dict[int, tuple[str, Where]] = field(default_factory=dict)  # id -> (kind, where it goes)
    loaded: dict[int, Any] = field(default_factory=dict)  # id -> what it shows
    outcomes: dict[int, str] = field(default_factory=dict)  # ended already (e.g. failed: uninstalled)
    later: dict[int, Exception] = field(default_factory=dict)  # NotYet, NeedProfiles or a loader's error


def deliver_run(worker: Worker, run: list[Due], lease: timedelta) -> list[str]:
    """Deliver a run, leasing its notices for ``lease``; the outcome of each notice, in order
    (as ``deliver_one`` gives them)."""
    if len(run) == 1 or any(n.kind not in BATCHED for n in run):
        return [worker.deliver_one(n.id) for n in run]
    now = worker.clock.now()
    try:
        leased = _lease_and_load(worker, run, now, lease)
    except Exception as e:  # the database, for the whole run (nothing was leased)
        return [worker.repeating(n.id, e) for n in run]
    outcomes = _send(worker, run, leased, now)
    return [outcomes.get(n.id, "skipped") for n in run]


def _lease_and_load(worker: Worker, run: list[Due], now: datetime, lease: timedelta) -> _Leased:
    leased = _Leased(until=now + lease)
    gone: dict[Where, bool] = {}
    with transaction(worker.db) as s:
        claimed = outbox_rows.claim_notices(s, [n.id for n in run], now, leased.until)
        # Read once for the run, not once per notice: their teams (held here, so that the session
        # keeps them) and the cached profiles of the people they go to.
        teams = outbox_rows.teams_of(s, claimed)
        notices.preload_profiles(s, {n.recipient for n in claimed})
        for notice in claimed:
            where = outbox_rows.workspace_of(s, notice)
            leased.leased[notice.id] = (notice.kind, where)
            if where != ("", None) and where not in gone:
                gone[where] = workspace_rows.workspace_uninstalled(s, *where)
            if gone.get(where):
                outbox_rows.mark_failed(s, notice.id, now, workspace_rows.UNINSTALLED_ERROR)
                leased.outcomes[notice.id] = "failed"
                continue
            try:
                leased.loaded[notice.id] = worker.loaders.load(s, notice, now)
            except SQLAlchemyError:
                raise
            except Exception as e:  # taken up one by one below, once the leases are committed
                leased.later[notice.id] = e
    del teams
    return leased


def _send(worker: Worker, run: list[Due], leased: _Leased, now: datetime) -> dict[int, str]:
    outcomes = dict(leased.outcomes)
    sent: list[tuple[int, str, dict[str, Any]]] = []
    oldest = 0.0  # when the first answer not written down yet came (time.monotonic)
    try:
        for i, n in enumerate(run):
            if n.id in outcomes or n.id not in leased.leased:
                continue  # ended, or not leased (another worker has it)
            if worker.clock.now() >= leased.until - LEASE_MARGIN or "retry" in outcomes.values() or not (
                    n.kind not in notices.POSTING or worker.pacer.acquire(n.recipient, worker.stopping, n.workspace)):
                _give_back(worker, run[i:], leased, outcomes)  # stopping, Slack refusing, the lease running short
                break
            worker.give_way(worker.busy)
            result = _one(worker, n.id, leased, now)
            if isinstance(result, str):
                outcomes[n.id] = result
                continue
            if not sent:
                oldest = time.monotonic()
            sent.append((n.id, leased.leased[n.id][0], result))
            outcomes[n.id] = "delivered"
            if time.monotonic() - oldest >= MARK_WITHIN:
                worker.mark(sent)
                sent = []
    finally:  # whatever happens next (the database failing a retry's record), what Slack took is written down
        worker.mark(sent)
    return outcomes


def _one(worker: Worker, notice_id: int, leased: _Leased, now: datetime) -> dict[str, Any] | str:
    """Send one leased notice of the run: Slack's answer, or how it ended."""
    kind, where = leased.leased[notice_id]
    slack = worker.slack_at(where)
    loaded = leased.loaded.get(notice_id)
    e = leased.later.get(notice_id)
    if isinstance(e, notices.NotYet):
        return worker.waiting(notice_id, e)
    if isinstance(e, notices.NeedProfiles):
        loaded = worker.load_with_profiles(notice_id, now, e.user_ids, slack)
        if isinstance(loaded, str):
            return loaded
    elif e is not None:
        return worker.repeating(notice_id, e)
    return worker.call(notice_id, kind, loaded, slack)


def _give_back(worker: Worker, rest: list[Due], leased: _Leased, outcomes: dict[int, str]) -> None:
    """The run ends early (stopping, Slack refusing, the lease running short): its notices
    not sent go back to the outbox, due at once."""
    ids = [n.id for n in rest if n.id not in outcomes and n.id in leased.leased]
    with transaction(worker.db) as s:
        outbox_rows.release(s, ids, leased.until)
