"""Delivers the outbox: every card, DM and post that a state change caused.

A notice is delivered once: the worker leases it, renders it from the
store's current state, calls Slack, and marks it delivered in one short
transaction. Slack refusing (5xx, 429, network) schedules a retry with
backoff, honouring ``Retry-After``; retries live in the database, so they
survive restarts and never block a thread on a sleep. Any other error would
repeat: it is tried a few times, then the notice fails for good
(``bot/kernel/outbox_failures.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import first_post as first_post_of
from bot.kernel import lanes, notices, runs
from bot.kernel import outbox_failures as failures
from bot.kernel.clock import Clock
from bot.kernel.loop import BackgroundLoop
from bot.kernel.pacer import CHANNEL_BURST as CHANNEL_BURST  # Slack's limits, read here by bench/
from bot.kernel.pacer import CHANNEL_RATE as CHANNEL_RATE
from bot.kernel.pacer import WORKSPACE_BURST as WORKSPACE_BURST
from bot.kernel.pacer import WORKSPACE_RATE as WORKSPACE_RATE
from bot.kernel.pacer import Pacer as Pacer
from bot.kernel.replicas import Replicas
from storage import outbox as outbox_rows
from storage import queries
from storage import workspaces as workspace_rows
from storage.db import transaction
from storage.models import OutboxNotice, Team

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
# Deliveries to different workspaces at once (one at a time within a workspace), and more while
# Slack is slow to answer (bot/kernel/lanes.py: Crew).
THREADS = 4
# Short on purpose: notices must go out within 10 s of Slack recovering
# (docs/PRODUCT.md §7). Load on a struggling Slack stays low because a round
# stops at the first transient failure: one probe per poll, not a stampede.
MAX_BACKOFF = timedelta(seconds=5)
# A notice that waits for another one (a thread reply for its card's ts) looks again after this.
NOT_YET_RETRY = 1.0
NOT_IN_CHANNEL_RETRY = timedelta(minutes=30)
Where = runs.Where


# After a 429 the refused notice waits its whole Retry-After (in the
# database); every other delivery to its workspace holds back too (Slack's
# limits are per workspace and app; other workspaces go on), for at most this
# long, so one long Retry-After cannot stall that workspace's outbox.
HOLD_AFTER_429 = timedelta(seconds=2)


class RetryLater(Exception):
    """Slack could not take it now (5xx, 429, network); try again."""

    def __init__(self, error: str, after: float | None = None) -> None:
        self.error, self.after = error, after
        super().__init__(error)


class NotInChannel(Exception):
    """The bot is not a member of the team channel."""


class PermanentFailure(Exception):
    """Slack refused for good (bad payload, unknown channel...)."""


class NotInstalled(PermanentFailure):
    """OAuth mode: the notice's workspace has no installation (never installed, or uninstalled):
    there is no token to send it with, and waiting will not bring one, so it fails at once."""


@dataclass(frozen=True)
class Profile:
    user_id: str
    name: str | None
    tz: str | None
    locale: str | None
    deleted: bool
    workspace_admin: bool = False  # is_owner or is_admin: an opsbot admin too


class SlackPort(Protocol):
    """What the worker needs of Slack; ``handlers/gateway.py`` provides it. A port serving
    several workspaces also has ``at(workspace, enterprise_id)``: the same port speaking with
    that workspace's token (``Where``)."""

    def deliver(self, kind: str, loaded: notices.Loaded) -> dict[str, Any]: ...

    def fetch_profile(self, user_id: str) -> Profile | None: ...


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)


# Above this many people, one pass over ``users.list`` (a page per 200 people)
# costs fewer calls than a ``users.info`` per person.
LIST_PROFILES_ABOVE = 20


def refresh_profiles(*, db: sessionmaker[Session], clock: Clock, slack: SlackPort, user_ids: set[str]) -> None:
    """Fetch Slack profiles (zone, locale, deactivated) and cache them, in one
    statement whatever their number."""
    list_all = getattr(slack, "list_profiles", None)
    if len(user_ids) > LIST_PROFILES_ABOVE and list_all is not None:
        fetched = [p for p in list_all() if p.user_id in user_ids]
    else:
        fetched = [p for p in (slack.fetch_profile(u) for u in sorted(user_ids)) if p is not None]
    missing = user_ids - {p.user_id for p in fetched}
    now = clock.now()
    rows = [dict(user_id=p.user_id, name=p.name, tz=p.tz, locale=p.locale, deleted=p.deleted,
                 workspace_admin=p.workspace_admin, refreshed_at=now) for p in fetched]
    # Unknown to Slack: remember that, so we do not ask on every notice.
    rows += [dict(user_id=u, name=None, tz=None, locale=None, deleted=True, workspace_admin=False, refreshed_at=now)
             for u in sorted(missing)]
    rows.sort(key=lambda r: r["user_id"])  # one lock order, so concurrent refreshes cannot deadlock
    with transaction(db) as s:
        queries.upsert_slack_users(s, rows)


class OutboxWorker(BackgroundLoop):
    thread_name = "opsbot-outbox"

    def __init__(
        self,
        *,
        db: sessionmaker[Session],
        clock: Clock,
        slack: SlackPort,
        loaders: notices.NoticeLoaders,
        batch: int = 5000,
        poll_interval: float = 1.0,
        pacer: Pacer | None = None,
        threads: int = THREADS,
        replicas: Replicas | None = None,
    ) -> None:
        self.db, self.clock, self.slack, self.loaders = db, clock, slack, loaders
        # The replicas on this database, with which it shares out the workspaces' DMs and posts.
        self.replicas = replicas if replicas is not None else Replicas(db, clock)
        self.pacer = pacer if pacer is not None else Pacer()
        self.threads = max(1, threads)
        self.crew = lanes.Crew(self.threads, name=self.thread_name)
        self._holds: dict[str, datetime] = {}  # after a 429: no delivery to that workspace before this (clock time)
        self._in_flight = 0
        self._flight_lock = threading.Lock()
        self.batch = batch
        super().__init__(poll_interval=poll_interval)

    # -- one round --------------------------------------------------------

    def drain(self, max_rounds: int = 100) -> int:
        """Deliver everything due now (this replica's share of it); return how many were delivered."""
        delivered = 0
        now = self.clock.now()
        # Workspaces whose turn is over: held back after a 429, or (below) Slack refused them for now.
        over = {workspace for workspace, until in self._holds.items() if now < until}
        for _ in range(max_rounds):
            with transaction(self.db) as s:
                # Home tabs last: a dashboard can wait for the cards and DMs of
                # a burst of clicks, and each one still waiting coalesces the
                # next re-publish of the same Home (one per person, not per click).
                due = outbox_rows.due_notices(s, self.clock.now(), self.batch,
                                              last=(notices.HOME, notices.SUPERVISOR_HOMES), skip_workspaces=over)
            due = self.replicas.share(due)
            if not due:
                break
            self.crew.threads = self.threads
            delivered += lanes.deliver_round(due, over, deliver=self.deliver_run, pacer=self.pacer, crew=self.crew,
                                             stop=self._stop, give_way=lambda: self.give_way(self.busy))
            if self._stop.is_set():
                break
        return delivered

    def start(self) -> None:
        self.replicas.start()
        super().start()

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self.crew.shutdown()
        self.replicas.stop(timeout)

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Around the handling of one request from Slack (``bot/web.py``)."""
        with self._flight_lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._flight_lock:
                self._in_flight -= 1

    @property
    def stopping(self) -> threading.Event:
        """Set once the worker is asked to stop (a run gives its rest back then)."""
        return self._stop

    def busy(self) -> bool:
        """Whether a request from Slack is being answered right now."""
        return self._in_flight > 0

    def _hold(self, notice_id: int, after: float | None) -> None:
        """A 429: hold back every delivery to the notice's workspace for a while (not to others)."""
        with transaction(self.db) as s:
            workspace = outbox_rows.workspace_of_notice(s, notice_id)
        self._holds[workspace] = self.clock.now() + min(timedelta(seconds=after or 1), HOLD_AFTER_429)

    def deliver_run(self, run: list[outbox_rows.Due]) -> list[str]:
        """Notices of one workspace that can go now, together (``bot/kernel/runs.py``): each one's outcome."""
        return runs.deliver_run(self, run, LEASE)

    def deliver_one(self, notice_id: int) -> str:
        """One notice: 'delivered', 'retry' (Slack refused for now), 'waiting'
        (it follows another notice not delivered yet: not Slack's fault, so the
        round goes on), 'error' (it failed in a way that would repeat: tried
        again a few times), 'blocked' (the channel is closed to us), 'failed'
        (for good) or 'skipped'."""
        now = self.clock.now()
        leased = self._lease_and_load(notice_id, now)
        if isinstance(leased, str):
            return leased
        kind, loaded, need, where = leased
        slack = self.slack_at(where)
        if need is not None:
            loaded = self.load_with_profiles(notice_id, now, need, slack)
            if isinstance(loaded, str):
                return loaded
        first_post = kind == notices.CARD and not loaded.ts
        if kind in (notices.DM, notices.POST, notices.FILE) or first_post:
            # A new message (chat.postMessage): keep under Slack's posting limits.
            if not self.pacer.acquire(loaded.channel or "", self._stop, where[0]):
                return self._retry(notice_id, "stopping", 0)
        if first_post and not first_post_of.claim(self.db, self.loaders, notice_id, self.clock.now()):
            # Another worker posts this card: this notice becomes an update of it.
            return self.waiting(notice_id, first_post_of.PostedElsewhere("its card is being posted"))
        result = self.call(notice_id, kind, loaded, slack)
        outcome = result if isinstance(result, str) else "delivered"
        self.mark([] if isinstance(result, str) else [(notice_id, kind, result)])
        if first_post and outcome != "delivered":
            first_post_of.release(self.db, notice_id)
        return outcome

    def _lease_and_load(self, notice_id: int, now: datetime) -> str | tuple[str, Any, set[str] | None, Where]:
        """Lease and load in one transaction (the common case): the notice's
        kind, what it shows, the people we have no fresh profile of (the
        lease is committed; the caller fetches them) and the workspace it goes
        to. Or how the round ended."""
        need: set[str] | None = None
        loaded = None
        try:
            with transaction(self.db) as s:
                notice = outbox_rows.claim_notice(s, notice_id, now, now + LEASE)
                if notice is None:
                    return "skipped"
                kind = notice.kind
                where = outbox_rows.workspace_of(s, notice)
                if where != ("", None) and workspace_rows.workspace_uninstalled(s, *where):
                    # Its workspace uninstalled opsbot: dropped, never sent (nobody to tell there either).
                    outbox_rows.mark_failed(s, notice_id, now, workspace_rows.UNINSTALLED_ERROR)
                    return "failed"
                if kind == notices.SUPERVISOR_HOMES:
                    # Nothing to send: it becomes a Home notice per supervisor,
                    # delivered in the same transaction that writes them.
                    notices.expand_supervisor_homes(s, notice, now)
                    notice.status, notice.delivered_at, notice.claimed_until = "delivered", now, None
                    notice.attempts += 1
                    return "delivered"
                try:
                    loaded = self.loaders.load(s, notice, now)
                except notices.NeedProfiles as e:
                    need = e.user_ids  # commit the lease; fetch the profiles below
        except notices.NotYet as e:
            return self.waiting(notice_id, e)
        except Exception as e:
            return self.repeating(notice_id, e)
        return kind, loaded, need, where

    def slack_at(self, where: Where) -> SlackPort:
        """The port speaking with the token of the notice's workspace (OAuth mode), else the one port."""
        at = getattr(self.slack, "at", None)
        return at(*where) if at is not None else self.slack

    def load_with_profiles(self, notice_id: int, now: datetime, need: set[str], slack: SlackPort) -> Any:
        """Fetch the missing profiles and load again (a few rounds: the notice
        may name more people once loaded); or how the round ended, as a str."""
        for _ in range(3):
            try:
                refresh_profiles(db=self.db, clock=self.clock, slack=slack, user_ids=need)
            except RetryLater as e:
                return self._retry(notice_id, f"users.info: {e.error}", e.after)
            except PermanentFailure as e:  # no installation for the workspace: nothing to send with
                return self._fail(notice_id, str(e))
            try:
                with transaction(self.db) as s:
                    return self.loaders.load(s, s.get_one(OutboxNotice, notice_id), now)
            except notices.NeedProfiles as e:
                need = e.user_ids
            except notices.NotYet as e:
                return self.waiting(notice_id, e)
            except Exception as e:
                return self.repeating(notice_id, e)
        return self.repeating(notice_id, "profiles unavailable")

    def waiting(self, notice_id: int, e: Exception) -> str:
        # Waits for another notice (a thread reply for its card's ts): not an error.
        self._retry(notice_id, f"waiting: {e}", NOT_YET_RETRY, level=logging.DEBUG)
        return "waiting"

    def call(self, notice_id: int, kind: str, loaded: Any, slack: SlackPort) -> dict[str, Any] | str:
        """Send one leased notice: what Slack answered, or how it ended (recorded) when it did not take it."""
        try:
            with self.crew.calling():
                return slack.deliver(kind, loaded)
        except RetryLater as e:
            if e.error.startswith("429"):
                self._hold(notice_id, e.after)
            return self._retry(notice_id, e.error, e.after)
        except NotInChannel as e:
            self._not_in_channel(notice_id, str(e))
            return "blocked"
        except PermanentFailure as e:
            return self._fail(notice_id, str(e))
        except Exception as e:  # a bug in a renderer, a chart that cannot be drawn: it would repeat
            return self.repeating(notice_id, e)

    def mark(self, sent: list[tuple[int, str, dict[str, Any]]]) -> None:
        """Record what Slack took (notice id, kind, its answer), in one transaction however many."""
        if not sent:
            return
        with transaction(self.db) as s:
            outbox_rows.mark_delivered(s, [(notice_id, result) for notice_id, _, result in sent], self.clock.now())
            for notice_id, kind, result in sent:
                if kind == notices.CARD:  # a DM or a post leaves nothing else to record
                    self.loaders.record_delivery(s, s.get_one(OutboxNotice, notice_id), result)

    def _retry(self, notice_id: int, error: str, after: float | None, level: int = logging.WARNING) -> str:
        with transaction(self.db) as s:
            notice = s.get_one(OutboxNotice, notice_id)
            notice.attempts += 1
            delay = timedelta(seconds=after) if after is not None else backoff(notice.attempts)
            notice.next_attempt_at = self.clock.now() + delay
            notice.claimed_until, notice.last_error = None, error
        log.log(level, "notice %s: %s; retrying in %s", notice_id, error, delay)
        return "retry"

    def repeating(self, notice_id: int, e: Exception | str) -> str:
        """An error that will repeat: retried with backoff, then failed for good."""
        if isinstance(e, OperationalError):  # the database, for now (a lock, a dropped connection)
            return self._retry(notice_id, failures.describe(e), None)
        with transaction(self.db) as s:
            last = failures.count_attempt(s, notice_id)
        if not last:
            self._retry(notice_id, failures.describe(e), None, level=logging.INFO)
            return "error"  # not Slack's fault: the round goes on
        return self._fail(notice_id, failures.describe(e), e if isinstance(e, Exception) else None)

    def _fail(self, notice_id: int, error: str, exc: Exception | None = None) -> str:
        with transaction(self.db) as s:
            failures.give_up(s, notice_id, self.clock.now(), error, exc)
        return "failed"

    def _not_in_channel(self, notice_id: int, channel: str) -> None:
        """Keep the post for later and tell the team's supervisors, once per
        channel, how to fix it (docs/PRODUCT.md §4)."""
        now = self.clock.now()
        with transaction(self.db) as s:
            notice = s.get_one(OutboxNotice, notice_id)
            notice.attempts += 1
            notice.next_attempt_at = now + NOT_IN_CHANNEL_RETRY
            notice.claimed_until, notice.last_error = None, f"not_in_channel: {notice.recipient}"
            team = s.get(Team, notice.team_id) if notice.team_id else None
            if team is not None:
                for sup in queries.team_user_ids(s, team.id, "supervisor"):
                    notices.enqueue_dm(
                        s, user=sup, type="not_in_channel", team_id=team.id, now=now,
                        key=f"not_in_channel:{team.id}:{team.channel}:{sup}",
                    )
        self.wake()
