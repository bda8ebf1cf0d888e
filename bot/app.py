"""The composition root: the one place that wires bot, handlers and storage."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot import inbox as inbox_mod
from bot.clock import Clock, SystemClock
from bot.config import TeamsFile, load_teams_file
from bot.inbox import Inbox, InboxWorker
from bot.jobs import JobRunner
from bot.outbox import OutboxWorker
from bot.scheduler import Scheduler
from bot.services.teams import ApplyReport, apply_teams
from bot.settings import Settings
from handlers.auth import cached_authorize
from handlers.deps import Deps
from handlers.gateway import SlackGateway, make_client
from storage import migrate
from storage.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


@dataclass
class Opsbot:
    settings: Settings
    engine: Engine
    db: sessionmaker[Session]
    clock: Clock
    bolt: App
    client: WebClient
    worker: OutboxWorker
    jobs: JobRunner
    scheduler: Scheduler
    inbox: Inbox
    inbox_worker: InboxWorker
    warnings: list[str] = field(default_factory=list)

    def apply_teams(self, config: TeamsFile) -> ApplyReport:
        return apply_teams(db=self.db, clock=self.clock, config=config)

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def start(self, *, scheduler: bool = True) -> None:
        self.worker.start()
        self.inbox_worker.start()
        if scheduler:
            self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.inbox_worker.stop()
        self.worker.stop()


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    teams: TeamsFile | None = None,
    migrate_db: bool = True,
    worker_poll: float = 1.0,
) -> Opsbot:
    """Build everything. The database is migrated here (``serve`` migrates
    itself; ``opsbot db upgrade`` does only that), then the teams file is
    applied, idempotently."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    if migrate_db:
        migrate.upgrade(engine)
    db = make_session_factory(engine)

    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = make_client(token, settings.slack_api_url)
    gateway = SlackGateway(client)
    worker = OutboxWorker(db=db, clock=clock, slack=gateway, poll_interval=worker_poll)

    # Whatever commits an outbox row wakes the worker: delivery within
    # milliseconds, without services or listeners having to remember it.
    @event.listens_for(db, "after_commit")
    def _wake(session: Session) -> None:
        if session.info.pop("outbox", False):
            worker.wake()

    @event.listens_for(db, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("outbox", None)

    # Clicks and commands deferred past their ack (bot/inbox.py): decided in
    # this process, giving way to the acks of requests in flight.
    inbox = Inbox(engine=engine, clock=clock)
    inbox_mod.install(db, clock)
    inbox_worker = InboxWorker(db=db, clock=clock, inbox=inbox, busy=worker.busy, poll_interval=worker_poll)

    runner = JobRunner(db=db, clock=clock, slack=gateway, wake=worker.wake)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if not secret:
        raise ValueError("SLACK_SIGNING_SECRET is not set: opsbot verifies every request from Slack")
    bolt = App(
        # Bolt builds each request's client from authorize()'s token.
        client=make_client(None, settings.slack_api_url),
        logger=_bolt_logger(),
        authorize=cached_authorize(client, token),
        signing_secret=secret,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=True,
    )
    handlers.register(bolt, Deps(db=db, clock=clock, inbox=inbox))
    app = Opsbot(settings, engine, db, clock, bolt, client, worker, runner, Scheduler(engine=engine, runner=runner),
                 inbox, inbox_worker)
    if teams is None and settings.opsbot_teams_file:
        teams = load_teams_file(settings.opsbot_teams_file)
    if teams is not None:
        report = app.apply_teams(teams)
        log.info("teams applied: created %s, updated %s, deactivated %s", report.created, report.updated, report.deactivated)
    # Callers show these: `serve` logs them, `jobs list` prints them.
    app.warnings = calendar_warnings(app)
    return app


class _TokenNotice(logging.Filter):
    """Bolt warns at every start that the token (which it also reads from
    SLACK_BOT_TOKEN) is unused because ``authorize`` is given: that is by
    design here (handlers/auth.py), so the warning is only noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("`token`" in message and ("will be unused" in message or "will be ignored" in message))


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _TokenNotice) for f in logger.filters):
        logger.addFilter(_TokenNotice())
    return logger


def calendar_warnings(app: Opsbot) -> list[str]:
    """Years the country calendars do not cover yet: this one and the next."""
    from bot.team import team_view
    from storage import queries
    from storage.db import transaction

    year = app.clock.now().year
    out = []
    with transaction(app.db) as s:
        for t in queries.active_teams(s):
            cal = team_view(t).calendar
            for y in (year, year + 1):
                w = cal.coverage_warning(y)
                if w:
                    out.append(f"team {t.name!r}: {w}")
    return out
