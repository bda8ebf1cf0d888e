"""The inbox: clicks and commands taken durably before Slack's acknowledgement
and decided right after it, by a worker that gives way to acknowledgements.

Why: Slack waits for the ack, and a decision is a transaction of about ten
statements (docs/PRODUCT.md §6: the state change, its audit and its notices
together). Under a burst the acks queued behind those transactions. Now a
request's path is one INSERT shared with its concurrent neighbours (a group
commit) and the ack; the decision follows within milliseconds on an idle
process, and after the burst on a busy one (docs/performance.md).

Nothing is lost: the request is committed before Slack hears "OK", and a
crash between the two sides is replayed from the table. Nothing is done
twice: a request is marked done in the same transaction as the state change
and notices it caused, so a replay of a request already decided finds it done
and rolls back.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import OpsbotError
from bot.kernel.loop import BackgroundLoop
from storage import inbox as inbox_rows
from storage.db import transaction

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
# A request that fails for an unexpected reason (a database blip, a bug) is
# retried with backoff this many times, then answered "something went wrong".
MAX_ATTEMPTS = 4

Job = Callable[[dict[str, Any]], None]
Refuse = Callable[[str, dict[str, Any], Exception], None]


class AlreadyDone(Exception):
    """Another worker decided this request first; this transaction rolls back."""


@dataclass
class _Batch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    error: BaseException | None = None


class Inbox:
    """Where listeners put what they defer, and the registry of what decides
    each kind. ``put`` returns once the request is committed."""

    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        self.jobs: dict[str, Job] = {}
        self.refuse: Refuse | None = None
        self.wake: Callable[[], None] = lambda: None
        self._cond = threading.Condition()
        self._open = _Batch()
        self._writing = False

    def handles(self, kind: str) -> Callable[[Job], Job]:
        def register(job: Job) -> Job:
            if kind in self.jobs:
                raise ValueError(f"the inbox already has a job for {kind!r}")
            self.jobs[kind] = job
            return job
        return register

    def put(self, kind: str, payload: dict[str, Any]) -> None:
        """Commit one request. Concurrent callers share a transaction (a group
        commit): the first to find no write in progress writes every row
        queued so far while the others wait for it, so N concurrent requests
        cost one commit, not N commits queued on the database's lock."""
        if kind not in self.jobs:
            raise ValueError(f"nothing decides {kind!r}")
        now = self.clock.now()
        row = {"kind": kind, "payload": payload, "status": "pending", "attempts": 0,
               "received_at": now, "next_attempt_at": now}
        with self._cond:
            batch = self._open
            batch.rows.append(row)
            while self._writing and not batch.written:
                self._cond.wait()
            lead = not batch.written  # nobody is writing and ours is still open: write it
            if lead:
                self._writing, self._open = True, _Batch()
        if lead:
            try:
                with self.engine.begin() as conn:
                    inbox_rows.insert_requests(conn, batch.rows)
            except BaseException as e:
                batch.error = e
            with self._cond:
                batch.written, self._writing = True, False
                self._cond.notify_all()
        if batch.error is not None:
            raise batch.error
        self.wake()


# The request the worker is deciding in this thread, if any.
_current: contextvars.ContextVar[_Running | None] = contextvars.ContextVar("opsbot_inbox_request", default=None)


@dataclass
class _Running:
    id: int
    status: str = "done"
    finished: bool = False


def install(db: sessionmaker[Session], clock: Clock) -> None:
    """Mark the request being decided as done in the first transaction that
    commits a notice for it: its state change and its notices (a card, a DM,
    the reply) commit together with "done", or not at all."""

    @event.listens_for(db, "before_commit")
    def _finish(session: Session) -> None:
        running = _current.get()
        if running is None or running.finished or not session.info.get("outbox"):
            return
        if not inbox_rows.finish_request(session, running.id, clock.now(), status=running.status):
            raise AlreadyDone(running.id)
        running.finished = True


class InboxWorker(BackgroundLoop):
    thread_name = "opsbot-inbox"

    def __init__(
        self,
        *,
        db: sessionmaker[Session],
        clock: Clock,
        inbox: Inbox,
        busy: Callable[[], bool] = lambda: False,
        batch: int = 20,
        poll_interval: float = 1.0,
    ) -> None:
        self.db, self.clock, self.inbox, self.busy = db, clock, inbox, busy
        self.batch = batch
        super().__init__(poll_interval=poll_interval)
        inbox.wake = self.wake

    def drain(self, max_rounds: int = 1000) -> int:
        """Decide every request due now, oldest first; return how many."""
        decided = 0
        for _ in range(max_rounds):
            now = self.clock.now()
            # A batch is leased in one statement; each request is then decided
            # in its own transaction.
            with transaction(self.db) as s:
                claimed = inbox_rows.claim_due(s, now, now + LEASE, self.batch)
            if not claimed:
                break
            for i, (request_id, kind, payload, attempts) in enumerate(claimed):
                if self._stop.is_set():  # hand the rest back: the next start takes them at once
                    with transaction(self.db) as s:
                        inbox_rows.release_requests(s, [c[0] for c in claimed[i:]])
                    return decided
                self.give_way(self.busy)
                decided += self.decide(request_id, kind, dict(payload), attempts) == "done"
        return decided

    def decide(self, request_id: int, kind: str, payload: dict[str, Any], attempts: int) -> str:
        """One leased request: 'done', 'retry', 'failed' or 'skipped' (another worker did it)."""
        running = _Running(request_id)
        token = _current.set(running)
        try:
            return self._decide(running, kind, payload, attempts)
        except AlreadyDone:
            return "skipped"
        finally:
            _current.reset(token)

    def _decide(self, running: _Running, kind: str, payload: dict[str, Any], attempts: int) -> str:
        job = self.inbox.jobs.get(kind)
        try:
            if job is None:
                raise LookupError(f"nothing decides {kind!r}")
            job(payload)
        except AlreadyDone:
            raise
        except OpsbotError as e:  # a refusal: the person hears why, once
            if not running.finished:
                self._refuse(kind, payload, e)
        except Exception as e:
            if running.finished:  # the decision committed; what failed after it changes nothing
                log.exception("inbox request %s: an error after its decision", running.id)
                return "done"
            log.exception("inbox request %s (%s) failed", running.id, kind)
            if job is not None and attempts + 1 < MAX_ATTEMPTS:
                with transaction(self.db) as s:
                    n = inbox_rows.retry_request(s, running.id, at=self.clock.now() + timedelta(seconds=2 ** attempts),
                                         error=f"{type(e).__name__}: {e}")
                log.warning("inbox request %s: attempt %s failed; retrying", running.id, n)
                return "retry"
            running.status = "failed"
            self._refuse(kind, payload, e)
        if not running.finished:  # a request that caused no notice
            with transaction(self.db) as s:
                if not inbox_rows.finish_request(s, running.id, self.clock.now(), status=running.status):
                    return "skipped"
        return running.status

    def _refuse(self, kind: str, payload: dict[str, Any], error: Exception) -> None:
        if self.inbox.refuse is None:
            return
        try:
            self.inbox.refuse(kind, payload, error)
        except AlreadyDone:
            raise
        except Exception:
            log.exception("inbox: answering a refused request failed")


def pending(db: sessionmaker[Session]) -> int:
    with transaction(db) as s:
        return inbox_rows.pending_requests(s)
