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
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from heapq import heappop, heappush

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
    lanes = Lanes([n for n in due if n.workspace not in over], pacer)
    delivered = 0
    running: dict[Future[str], Due] = {}
    try:
        while True:
            if stop.is_set():
                lanes.clear()
            notice = lanes.next(idle=not running) if len(running) < threads else None
            if notice is not None:
                give_way()
                running[_start(notice, deliver, None if inline else executor())] = notice
                continue
            if not running:
                return delivered
            pause = 0 if inline else lanes.pause() if len(running) < threads else None
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
                    lanes.close(notice.workspace)
                lanes.done(notice.workspace)
    finally:
        wait(running)  # no delivery outlives its round


class Lanes:
    """A round's notices, a queue per workspace, each in due order. A lane is
    running (a delivery in flight), ready (to be looked at, in turn), or
    asleep until its pacer would let its first notice go: looking for the
    next delivery costs the same with 3 workspaces or 300."""

    def __init__(self, due: list[Due], pacer: Pacer) -> None:
        self.pacer = pacer
        self.queues: dict[str, list[Due]] = {}
        for n in due:
            self.queues.setdefault(n.workspace, []).append(n)
        self.ready: deque[str] = deque(self.queues)  # the workspace of the first notice due first
        self.asleep: list[tuple[float, int, str]] = []  # (pacer time it could go, order, workspace)
        self.running: set[str] = set()
        self._order = 0

    def next(self, *, idle: bool) -> Due | None:
        """The first notice of a ready lane that can go now (a channel at its
        limit, a burst of cards in one team channel, waits its turn without
        holding up DMs to everyone else in that workspace), taken out of its
        lane; a lane whose every notice would wait goes to sleep. When
        nothing runs (``idle``) and every lane sleeps, the one that wakes
        first goes with its first notice whose channel is ready (else its
        first), to wait for its pacer there. None: wait for a running delivery."""
        now = self.pacer.now()
        while self.asleep and self.asleep[0][0] <= now:
            self.ready.append(heappop(self.asleep)[2])
        while self.ready:
            workspace = self.ready.popleft()
            queue = self.queues.get(workspace)
            if not queue or workspace in self.running:
                continue
            notice, delay = self._first(queue, workspace)
            if notice is not None:
                return self._take(workspace, notice)
            self._order += 1
            heappush(self.asleep, (now + delay, self._order, workspace))
        if idle and self.asleep:
            workspace = heappop(self.asleep)[2]
            queue = self.queues.get(workspace)
            if queue:
                return self._take(workspace, next((n for n in queue if self.pacer.ready(n.recipient, workspace)),
                                                  queue[0]))
            return self.next(idle=idle)
        return None

    def _first(self, queue: list[Due], workspace: str) -> tuple[Due | None, float]:
        """The lane's first notice that can go now; else None and how long until one could."""
        delay = float("inf")
        full = self.pacer.workspace_wait(workspace)  # > 0: no post goes, whatever its channel
        for n in queue:
            wait = 0.0 if n.kind not in PACED else full or self.pacer.wait(n.recipient, workspace)
            if wait <= 0:
                return n, 0.0
            delay = min(delay, wait)
        return None, delay

    def _take(self, workspace: str, notice: Due) -> Due:
        self.queues[workspace].remove(notice)
        self.running.add(workspace)
        return notice

    def done(self, workspace: str) -> None:
        """A delivery of the workspace ended: its lane's turn comes again."""
        self.running.discard(workspace)
        if self.queues.get(workspace):
            self.ready.append(workspace)

    def close(self, workspace: str) -> None:
        """No more of this workspace in this round."""
        self.queues.pop(workspace, None)

    def clear(self) -> None:
        self.queues.clear()
        self.ready.clear()
        self.asleep.clear()

    def pause(self) -> float | None:
        """How long to wait for a running delivery before looking again: until
        the first sleeping lane wakes (None: until a delivery ends)."""
        if self.ready:
            return 0
        return max(self.asleep[0][0] - self.pacer.now(), 0.001) if self.asleep else None


def _start(notice: Due, deliver: Callable[[Due], str], pool: Executor | None) -> Future[str]:
    if pool is not None:
        return pool.submit(deliver, notice)
    done: Future[str] = Future()
    done.set_result(deliver(notice))
    return done
