"""The outbox's lanes: one per Slack workspace, delivering one notice at a time in order, several side by side.

Slack's limits are per workspace and app, so a round of the outbox worker
(``bot/kernel/outbox.py``) keeps a lane per workspace: a workspace at its
limit, or whose turn Slack's refusal ended, holds up no other. Within a lane
deliveries go one at a time, so a channel's posts keep their order and the
first transient failure ends that workspace's turn exactly as it ended the
whole round before there were lanes. A round of one workspace (always, in the
single-workspace mode) runs in the worker's own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait

from bot.kernel import notices
from bot.kernel.pacer import Pacer
from storage.outbox import Due

# The kinds that may post a new message (chat.postMessage), which the pacer meters.
PACED = (notices.DM, notices.POST, notices.CARD, notices.FILE)


def deliver_round(due: list[Due], over: set[str], *, deliver: Callable[[Due], str], pacer: Pacer, threads: int,
                  executor: Callable[[], Executor], stop: threading.Event, give_way: Callable[[], None]) -> int:
    """Deliver a batch of due notices, up to ``threads`` workspaces at once;
    return how many were delivered. ``deliver`` one notice gives its outcome
    (``OutboxWorker.deliver_one``); a 'retry' (Slack refused for now) adds its
    workspace to ``over``, whose notices this round leaves alone."""
    inline = threads == 1 or len({n.workspace for n in due}) == 1
    delivered = 0
    running: dict[Future[str], Due] = {}
    try:
        while True:
            due = [] if stop.is_set() else [n for n in due if n.workspace not in over]
            busy = {n.workspace for n in running.values()}
            notice = next_notice(due, busy, pacer, idle=not running) if len(running) < threads else None
            if notice is not None:
                give_way()
                running[_start(notice, deliver, None if inline else executor())] = notice
                continue
            if not running:
                return delivered
            pause = 0 if inline else _pause(due, busy, pacer) if len(running) < threads else None
            finished, _ = wait(running, timeout=pause, return_when=FIRST_COMPLETED)
            for future in finished:
                notice = running.pop(future)
                outcome = future.result()
                delivered += outcome == "delivered"
                if outcome == "retry":
                    # Slack is down or limiting this workspace: its turn ends
                    # here and it is probed again at the next poll rather than
                    # fail every notice in turn. Other workspaces go on.
                    over.add(notice.workspace)
    finally:
        wait(running)  # no delivery outlives its round


def next_notice(due: list[Due], busy: set[str], pacer: Pacer, *, idle: bool) -> Due | None:
    """The oldest notice of a lane with no delivery running that can go now,
    taken out of ``due``: a channel at its limit (a burst of cards in one
    team channel) waits its turn without holding up DMs to everyone else, and
    a workspace at its limit without holding up other workspaces. When
    nothing runs (``idle``) and every notice would wait, the oldest whose
    channel is ready (else the oldest) goes, to wait for its pacer there.
    None: wait for a running delivery."""
    free = [n for n in due if n.workspace not in busy]
    notice = next((n for n in free if n.kind not in PACED or not pacer.wait(n.recipient, n.workspace)), None)
    if notice is None and idle and free:
        notice = next((n for n in free if pacer.ready(n.recipient, n.workspace)), free[0])
    if notice is not None:
        due.remove(notice)
    return notice


def _start(notice: Due, deliver: Callable[[Due], str], pool: Executor | None) -> Future[str]:
    if pool is not None:
        return pool.submit(deliver, notice)
    done: Future[str] = Future()
    done.set_result(deliver(notice))
    return done


def _pause(due: list[Due], busy: set[str], pacer: Pacer) -> float | None:
    """How long to wait for a running delivery before looking again: until the
    first waiting notice of an idle lane could go (None: until a delivery ends)."""
    waits = [pacer.wait(n.recipient, n.workspace) for n in due if n.workspace not in busy]
    return max(min(waits), 0.001) if waits else None
