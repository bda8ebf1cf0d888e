"""Retention: decided inbox requests and finished outbox notices older than
``OPSBOT_RETENTION_DAYS`` are deleted by a daily job at a quiet hour.

Only finished rows go: an inbox request done (a refusal is done too) or given
up on, an outbox notice delivered or failed for good. A pending row is never
touched, however old: it is work still owed to someone.

What the finished rows were still good for, and why losing them is safe:

- The inbox is how a click or command survives a crash between Slack's ack and
  its decision. Slack retries within minutes (an event up to three times, the
  last about five minutes on; those retries are dropped by ``processed_events``),
  so a request decided weeks ago has nothing left to replay or to dedupe.
- An outbox notice's ``key`` stops a notice being written twice while its cause
  can still happen twice: a decision (once per item), a job's run (claimed in
  ``reminder_log`` first), a reminder of the same week. None of those recurs
  weeks later. What does recur on purpose after the rows are gone: supervisors
  are told again that the bot is still not in the team channel. A weekly chart
  finds its summary's post by key within the same week, far inside the minimum.
- The last delivered DM tells ``/opsbot reviews`` whether it was typed in the
  person's DM with the app; without one the answer comes by DM, as for a person
  the app has never written to.

The decisions, audit log and items themselves are kept: they are the record.

The composition root may hand in other deployment-wide purges of rows that are
only ever good until a time of their own (``purges``: expired OAuth states);
they run in the same daily run, as of the same ``now``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from storage import inbox as inbox_rows
from storage import outbox as outbox_rows
from storage.db import transaction

log = logging.getLogger(__name__)

JOB_ID = "retention"
# Daily at 03:30 UTC: a quiet hour for a deployment on European and American
# working days, early afternoon in East Asia, when the jobs (10:00 and 18:00
# local) have long run. The deletes are batched, so the hour matters little.
HOUR, MINUTE = 3, 30
# Rows deleted per transaction: short transactions, short locks, whatever the backlog.
BATCH = 1000


@dataclass(frozen=True)
class Pruned:
    inbox: int
    outbox: int


class Retention:
    def __init__(self, *, db: sessionmaker[Session], clock: Clock, days: int,
                 purges: Mapping[str, Callable[[datetime], int]] | None = None) -> None:
        self.db, self.clock, self.days = db, clock, days
        # what → purge(now) → how many rows went
        self.purges = dict(purges or {})

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)

    def run(self, now: datetime | None = None) -> Pruned:
        """Delete what finished before ``now`` less the retention period, and
        run the purges handed in as of ``now``."""
        now = now or self.clock.now()
        before = self.cutoff(now)
        inbox = self._prune(inbox_rows.prune_finished, before)
        outbox = self._prune(outbox_rows.prune_finished, before)
        if inbox or outbox:
            log.info("retention: deleted %s inbox request(s) and %s outbox notice(s) finished before %s",
                     inbox, outbox, before.isoformat())
        for what, purge in self.purges.items():
            try:
                gone = purge(now)
            except Exception:
                log.exception("retention: purging %s failed; the next run will", what)
                continue
            if gone:
                log.info("retention: purged %s %s", gone, what)
        return Pruned(inbox, outbox)

    def _prune(self, prune: Callable[..., int], before: datetime) -> int:
        total = 0
        while True:
            with transaction(self.db) as s:
                n = prune(s, before=before, limit=BATCH)
            total += n
            if n < BATCH:
                return total
