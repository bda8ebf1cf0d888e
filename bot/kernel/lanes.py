"""The outbox's lanes: one per Slack workspace, delivering one notice at a time in order, several side by side.

Slack's limits are per workspace and app, so a round of the outbox worker
(``bot/kernel/outbox.py``) keeps a lane per workspace: a workspace at its
limit, or whose turn Slack's refusal ended, holds up no other. Within a lane
deliveries go one at a time, so a channel's posts keep their order and the
first transient failure ends that workspace's turn exactly as it ended the
whole round before there were lanes. A lane hands out its notices as runs:
all that its limits let go now, each to a channel of its own, which the
worker leases and marks together (``bot/kernel/runs.py``) and still sends one
at a time. A round of one workspace (always, in the single-workspace mode)
runs in the worker's own thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from heapq import heappop, heappush

from bot.kernel import notices
from bot.kernel.pacer import Pacer
from bot.kernel.runs import BATCHED, RUN
from storage.outbox import Due


def deliver_round(due: list[Due], over: set[str], *, deliver: Callable[[list[Due]], list[str]], pacer: Pacer,
                  crew: Crew, stop: threading.Event, give_way: Callable[[], None]) -> int:
    """Deliver a batch of due notices, up to ``crew.limit()`` workspaces at
    once; return how many were delivered. ``deliver`` a run of one
    workspace's notices gives each one's outcome (``OutboxWorker.deliver_run``);
    a 'retry' (Slack refused for now) adds its workspace to ``over``, whose
    notices this round leaves alone."""
    inline = crew.threads == 1 or len({n.workspace for n in due}) == 1
    lanes = Lanes([n for n in due if n.workspace not in over], pacer)
    delivered = 0
    running: dict[Future[list[str]], str] = {}
    try:
        while True:
            if stop.is_set():
                lanes.clear()
            limit = 1 if inline else crew.limit()
            run = lanes.next(idle=not running) if len(running) < limit else None
            if run:
                give_way()
                running[_start(run, deliver, None if inline else crew.executor())] = run[0].workspace
                continue
            if not running:
                return delivered
            if inline:
                pause: float | None = 0
            elif len(running) < limit:
                pause = lanes.pause()
            else:  # all places taken: look again soon if Slack is slow to answer, for one more may open
                pause = SLOW / 2 if len(running) < crew.most and lanes.has_work() else None
            finished, _ = wait(running, timeout=pause, return_when=FIRST_COMPLETED)
            for future in finished:
                workspace = running.pop(future)
                outcomes = future.result()
                delivered += outcomes.count("delivered")
                if "retry" in outcomes:
                    # Slack is down or limiting this workspace: its turn ends
                    # here and it is probed again at the next poll rather than
                    # fail every notice in turn. Other workspaces go on.
                    over.add(workspace)
                    lanes.close(workspace)
                lanes.done(workspace)
    finally:
        wait(running)  # no delivery outlives its round


# A Slack call in flight this long (seconds) frees its run's place for another workspace's...
SLOW = 0.05
# ... unless the process kept this much of a core busy lately: then the wait is the interpreter's
# (its threads taking turns), not Slack's, and more runs at once would only share it out further.
BUSY = 0.7
# Runs at once, at most, while Slack is slow to answer: each a thread, with its own kept-alive
# connection to Slack. 32 held a fan-out to 200 workspaces at 247/s against a 100 ms Slack and
# 102/s at 300 ms; 128 let it reach 315/s and 227/s (findings item 19).
MOST = 128


class Crew:
    """The threads a worker delivers in (made at its first round with several
    workspaces). ``threads`` runs go at once, each busy with the database,
    rendering or a call to Slack; beyond that, the interpreter's one core
    would only be shared out. But a run whose Slack call has waited ``SLOW``
    while the process has had idle time is only waiting on Slack (which
    answers in 100–300 ms; the stand-in in well under one): it frees its
    place, up to ``most`` runs at once, so a fan-out to many workspaces is
    not held to ``threads`` calls' latency."""

    def __init__(self, threads: int, *, most: int = MOST, name: str = "opsbot-outbox") -> None:
        self.threads, self.most, self._name = max(1, threads), max(1, threads, most), name
        self._pool: ThreadPoolExecutor | None = None
        self._began: dict[int, float] = {}  # thread -> when its Slack call began (time.monotonic)
        self._since, self._cpu, self._load = time.monotonic(), time.process_time(), 1.0  # busy until seen idle

    def executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max(self.threads, self.most), thread_name_prefix=self._name)
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    @contextmanager
    def calling(self) -> Iterator[None]:
        """Around one call to Slack."""
        ident = threading.get_ident()
        self._began[ident] = time.monotonic()
        try:
            yield
        finally:
            self._began.pop(ident, None)

    def limit(self) -> int:
        """How many runs may go at once now: ``threads``, and one more for each slow call while
        the process is not busy."""
        now = time.monotonic()
        slow = sum(1 for began in list(self._began.values()) if now - began >= SLOW)
        if not slow or self._busy(now):
            return self.threads
        return min(max(self.most, self.threads), self.threads + slow)

    def _busy(self, now: float) -> bool:
        """Whether the process used ``BUSY`` of a core or more lately (over the last 0.1 s or so)."""
        if now - self._since >= 0.1:
            cpu = time.process_time()
            self._load = (cpu - self._cpu) / (now - self._since)
            self._since, self._cpu = now, cpu
        return self._load >= BUSY


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

    def next(self, *, idle: bool) -> list[Due] | None:
        """The next run of a ready lane: its notices that can go now (a
        channel at its limit, a burst of cards in one team channel, waits its
        turn without holding up DMs to everyone else in that workspace),
        taken out of its lane; a lane whose every notice would wait goes to
        sleep. When nothing runs (``idle``) and every lane sleeps, the one
        that wakes first goes with its first notice whose channel is ready
        (else its first), to wait for its pacer there. None: wait for a
        running delivery."""
        now = self.pacer.now()
        while self.asleep and self.asleep[0][0] <= now:
            self.ready.append(heappop(self.asleep)[2])
        while self.ready:
            workspace = self.ready.popleft()
            queue = self.queues.get(workspace)
            if not queue or workspace in self.running:
                continue
            run, delay = self._run(queue, workspace)
            if run:
                return self._take(workspace, run)
            self._order += 1
            heappush(self.asleep, (now + delay, self._order, workspace))
        if idle and self.asleep:
            workspace = heappop(self.asleep)[2]
            queue = self.queues.get(workspace)
            if queue:
                return self._take(workspace, [next((n for n in queue if self.pacer.ready(n.recipient, workspace)),
                                                   queue[0])])
            return self.next(idle=idle)
        return None

    def _run(self, queue: list[Due], workspace: str) -> tuple[list[Due], float]:
        """The lane's notices that can go now, in order, as one run (``bot/kernel/runs.py``): each to
        a channel of its own, as many posts as the workspace-wide limit lets go, of the kinds a run
        may hold (else the first alone). None can go: ([], how long until one could)."""
        delay = float("inf")
        room = self.pacer.room(workspace)  # posts the workspace-wide limit lets go now
        run: list[Due] = []
        seen: set[str] = set()  # a later notice to a channel goes after the earlier one
        for n in queue:
            if n.recipient in seen:
                continue
            seen.add(n.recipient)
            paced = n.kind in notices.POSTING
            if paced and room < 1:
                if not run:
                    delay = min(delay, self.pacer.workspace_wait(workspace))
                continue  # a post more than the workspace lets go: unpaced kinds may still join
            wait = self.pacer.wait(n.recipient, workspace) if paced else 0.0
            if wait > 0:
                delay = min(delay, wait)
                continue
            if run and n.kind not in BATCHED:
                continue
            run.append(n)
            room -= paced
            if n.kind not in BATCHED or len(run) == RUN:
                break
        return run, 0.0 if run else delay

    def _take(self, workspace: str, run: list[Due]) -> list[Due]:
        queue = self.queues[workspace]
        taken = {n.id for n in run}
        queue[:] = [n for n in queue if n.id not in taken]
        self.running.add(workspace)
        return run

    def done(self, workspace: str) -> None:
        """A delivery of the workspace ended: its lane's turn comes again."""
        self.running.discard(workspace)
        if self.queues.get(workspace):
            self.ready.append(workspace)

    def close(self, workspace: str) -> None:
        """No more of this workspace in this round."""
        self.queues.pop(workspace, None)

    def has_work(self) -> bool:
        """Whether a lane still has notices (ready or asleep)."""
        return bool(self.ready or self.asleep)

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


def _start(run: list[Due], deliver: Callable[[list[Due]], list[str]], pool: Executor | None) -> Future[list[str]]:
    if pool is not None:
        return pool.submit(deliver, run)
    done: Future[list[str]] = Future()
    done.set_result(deliver(run))
    return done
