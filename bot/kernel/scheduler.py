"""APScheduler 3 driving the jobs, per team, in each team's zone and calendar.

Jobs live in a memory store (nothing is pickled); the idempotency keys make
a restart, a catch-up or a second replica harmless. With PostgreSQL only the
holder of an advisory lock schedules; the others wait to take over.

A team set up, changed or archived on this process is planned at its commit
(``bot/app.py``). One changed on another replica (or by ``opsbot teams apply``)
reaches the leader's plan within ``CHANGE_CHECK_SECONDS``: the leader looks at a
fingerprint of the teams (``storage.queries.teams_stamp``) that often and
re-plans only when it moved. The full resync every ``RESYNC_MINUTES`` stays as
the safety net.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, Engine, text

from bot.kernel import retention as retention_mod
from bot.kernel.jobs import JobRunner
from storage import queries
from storage.db import transaction

log = logging.getLogger(__name__)

LEADER_LOCK = 0x0B5B0702
LEADER_RETRY_SECONDS = 10
RESYNC_MINUTES = 10
CHANGE_CHECK_SECONDS = 30
LOCK_CHECK_SECONDS = 30


class TeamJobTrigger(BaseTrigger):
    """Fires when the job is next due for the team: the schedule, moved by
    the working calendar, at the hour in each recipient's own zone."""

    def __init__(self, runner: JobRunner, job: str, team_id: int) -> None:
        self.runner, self.job, self.team_id = runner, job, team_id

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        after = max(previous_fire_time, now) if previous_fire_time else now - timedelta(seconds=1)
        for nr in self.runner.next_runs(after, job=self.job, team_id=self.team_id):
            return nr.at
        return None

    def __str__(self) -> str:
        return f"team-job[{self.job} for team {self.team_id}]"


class Scheduler:
    def __init__(self, *, engine: Engine, runner: JobRunner, retention: retention_mod.Retention | None = None) -> None:
        self.engine, self.runner, self.retention = engine, runner, retention
        self._aps: BackgroundScheduler | None = None
        self._lock_conn: Connection | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()  # start-up of APScheduler vs stop()
        self._planning = threading.Lock()  # one sync_jobs at a time: a commit's, the check's, the resync's
        self._planned_stamp: int | None = None  # the teams as last planned (teams_stamp)
        self._thread: threading.Thread | None = None
        self.role = "off"

    # -- leadership -----------------------------------------------------------

    def _try_lead(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True  # SQLite is one process on one host
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}).scalar()
        conn.commit()
        if got:
            self._lock_conn = conn  # the lock lives as long as this connection
            return True
        conn.close()
        return False

    def start(self) -> None:
        self._stop.clear()
        self.role = "follower"
        self._thread = threading.Thread(target=self._campaign, name="opsbot-leader", daemon=True)
        self._thread.start()

    def _campaign(self) -> None:
        while not self._stop.is_set():
            try:
                if self._try_lead():
                    self._become_leader()
                    return
            except Exception:
                log.exception("leader election failed; retrying")
            self._stop.wait(LEADER_RETRY_SECONDS)

    def _become_leader(self) -> None:
        aps = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                 "misfire_grace_time": 3600})
        with self._guard:
            if self._stop.is_set():  # stop() came while we were taking the lock
                self._release_lock()
                return
            self._aps = aps
            self.sync_jobs()
            aps.add_job(self.runner.run_snoozes, "interval", minutes=1, id="snoozes", replace_existing=True)
            aps.add_job(self.sync_jobs, "interval", minutes=RESYNC_MINUTES, id="resync", replace_existing=True)
            aps.add_job(self.check_changes, "interval", seconds=CHANGE_CHECK_SECONDS, id="change-check",
                        replace_existing=True)
            if self.retention is not None:  # deployment-wide, not per team: once a day at a quiet hour, in UTC
                aps.add_job(self.retention.run, CronTrigger(hour=retention_mod.HOUR, minute=retention_mod.MINUTE,
                                                            timezone="UTC"),
                            id=retention_mod.JOB_ID, replace_existing=True)
            if self._lock_conn is not None:
                aps.add_job(self.check_leadership, "interval", seconds=LOCK_CHECK_SECONDS, id="lock-check",
                            replace_existing=True)
            aps.start()
            self.role = "leader"
        log.info("this process is the scheduler leader")
        self.catch_up()

    def catch_up(self) -> None:
        """After downtime: run every job once as of now; the keys make sure
        nothing already sent goes again, and nothing not yet due goes early."""
        for name in self.runner.jobs:
            try:
                self.runner.run(name)
            except Exception:
                log.exception("catch-up of %s failed", name)

    def sync_jobs(self) -> None:
        """One APScheduler job per (job, active team); teams come and go. Keyed on the team's id:
        names are unique per workspace only, and a renamed team keeps its jobs."""
        with self._planning:
            aps = self._aps
            if aps is None:
                return
            # Read before planning: a change committed meanwhile moves the stamp past it, and is planned next check.
            stamp = self._stamp()
            self._plan(aps)
            self._planned_stamp = stamp

    def check_changes(self) -> bool:
        """The leader's short check: re-plan when the teams changed since they were last planned
        (on another replica: this process plans its own changes at their commit). True when it did.
        On SQLite, one process, nothing else moves the stamp but ``opsbot teams apply``."""
        if self._aps is None or self._stamp() == self._planned_stamp:
            return False
        self.sync_jobs()
        return True

    def _stamp(self) -> int:
        with transaction(self.runner.db) as s:
            return queries.teams_stamp(s)

    def _plan(self, aps: BackgroundScheduler) -> None:
        wanted = {f"{nr.job}:{nr.team_id}": nr for nr in self.runner.next_runs(self.runner.clock.now())}
        for job in aps.get_jobs():
            if ":" in job.id and job.id not in wanted:
                job.remove()
        now = self.runner.clock.now()
        for job_id, nr in wanted.items():
            existing = aps.get_job(job_id)
            if existing is None:
                aps.add_job(self.runner.run, TeamJobTrigger(self.runner, nr.job, nr.team_id), id=job_id,
                            args=[nr.job], kwargs={"team_id": nr.team_id}, replace_existing=True)
            elif nr.at is not None and existing.next_run_time is not None and existing.next_run_time > now \
                    and existing.next_run_time != nr.at:
                # The team's settings changed (/opsbot settings): plan the new time.
                existing.modify(next_run_time=nr.at)

    def check_leadership(self) -> bool:
        """A leader whose lock connection died has lost the lock (PostgreSQL
        released it): step down and campaign again. True while leading."""
        conn = self._lock_conn
        if conn is None:
            return self.role == "leader"
        try:
            conn.execute(text("SELECT 1"))
            conn.commit()
            return True
        except Exception:
            log.error("the leader lock's connection is gone; stepping down and campaigning again")
        with self._guard:
            if self._aps is not None:
                self._aps.shutdown(wait=False)
                self._aps = None
            try:
                conn.invalidate()
                conn.close()
            finally:
                self._lock_conn = None
            if self._stop.is_set():
                return False
            self.role = "follower"
            self._thread = threading.Thread(target=self._campaign, name="opsbot-leader", daemon=True)
            self._thread.start()
        return False

    def stop(self) -> None:
        self._stop.set()
        with self._guard:
            if self._aps is not None:
                self._aps.shutdown(wait=False)
                self._aps = None
            self._release_lock()
            self.role = "off"

    def _release_lock(self) -> None:
        """Give up leadership now: unlock explicitly, because closing a pooled
        connection only returns it to the pool, where the lock would live on."""
        if self._lock_conn is None:
            return
        try:
            self._lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK})
            self._lock_conn.commit()
        except Exception:
            log.exception("releasing the leader lock failed; dropping its connection")
            self._lock_conn.invalidate()
        finally:
            self._lock_conn.close()
            self._lock_conn = None
