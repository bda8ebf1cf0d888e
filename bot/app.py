"""The composition root: the one place that wires bot, handlers and storage.

Every workflow is one line of ``PLUGINS``: its core (jobs, snoozable
reminders, notice loaders) and its Slack side (listeners, builders). The
kernel and the adapter receive the merged tables; nothing registers itself
on import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot.kernel import admins, workspaces
from bot.kernel import inbox as inbox_mod
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.inbox import Inbox, InboxWorker
from bot.kernel.jobs import JobRunner
from bot.kernel.outbox import OutboxWorker
from bot.kernel.retention import Retention
from bot.kernel.scheduler import Scheduler
from bot.kernel.settings import Settings
from bot.kernel.teams import ApplyReport, apply_teams
from bot.kernel.teams_file import TeamsFile, load_teams_file
from bot.kernel.workflow import Registry, Workflow
from bot.workflows.activities import plugin as activities
from bot.workflows.content import plugin as content
from bot.workflows.exports import plugin as exports
from bot.workflows.feedback import plugin as feedback
from bot.workflows.home import plugin as home
from bot.workflows.kudos import plugin as kudos
from bot.workflows.leave import plugin as leave
from bot.workflows.onboarding import plugin as onboarding
from bot.workflows.pending import plugin as pending
from bot.workflows.reports import plugin as reports
from bot.workflows.reviews import plugin as reviews
from bot.workflows.status import plugin as status
from bot.workflows.team_settings import plugin as team_settings
from bot.workflows.teams import plugin as teams
from bot.workflows.teams.service import TEAMS_CHANGED
from bot.workflows.topics import plugin as topics
from bot.workflows.training import plugin as training
from handlers.activities import plugin as activities_slack
from handlers.auth import cached_authorize
from handlers.content import plugin as content_slack
from handlers.deps import Deps
from handlers.exports import plugin as exports_slack
from handlers.feedback import plugin as feedback_slack
from handlers.gateway import SlackGateway, make_client
from handlers.home import plugin as home_slack
from handlers.kit import notices as notice_blocks
from handlers.kudos import plugin as kudos_slack
from handlers.leave import plugin as leave_slack
from handlers.oauth import (
    OAuthConfig,
    WorkspaceTokens,
    authorization_url,
    bot_scopes,
    oauth_flow,
    register_org_wide_workspace,
    register_revocations,
    single_workspace_revoked,
)
from handlers.onboarding import plugin as onboarding_slack
from handlers.opsbot import plugin as opsbot_slack
from handlers.pending import plugin as pending_slack
from handlers.plugin import SlackPlugin
from handlers.render import Renderer
from handlers.reports import plugin as reports_slack
from handlers.reviews import plugin as reviews_slack
from handlers.teams import plugin as teams_slack
from handlers.topics import plugin as topics_slack
from handlers.training import plugin as training_slack
from storage import installations, migrate
from storage.db import make_engine, make_session_factory, transaction

log = logging.getLogger(__name__)

# (core, Slack side) for each workflow; a side with nothing to plug in is None.
PLUGINS: tuple[tuple[Workflow, SlackPlugin | None], ...] = (
    (topics.WORKFLOW, topics_slack.SLACK),
    (content.WORKFLOW, content_slack.SLACK),
    (activities.WORKFLOW, activities_slack.SLACK),
    (leave.WORKFLOW, leave_slack.SLACK),
    (reviews.WORKFLOW, reviews_slack.SLACK),
    (kudos.WORKFLOW, kudos_slack.SLACK),
    (pending.WORKFLOW, pending_slack.SLACK),
    (home.WORKFLOW, home_slack.SLACK),
    (exports.WORKFLOW, exports_slack.SLACK),
    (reports.WORKFLOW, reports_slack.SLACK),
    (status.WORKFLOW, opsbot_slack.SLACK),  # /opsbot routes status, help, settings, export, report
    (team_settings.WORKFLOW, None),
    (teams.WORKFLOW, teams_slack.SLACK),  # /opsbot setup, Home's Teams
    (onboarding.WORKFLOW, onboarding_slack.SLACK),  # /opsbot onboarding, the item DMs and Done
    (training.WORKFLOW, training_slack.SLACK),  # /opsbot training and goals, the session card, attendance
    (feedback.WORKFLOW, feedback_slack.SLACK),  # /opsbot talk, the talk's DMs and modals, the plan's follow-up
)
REGISTRY = Registry.of(core for core, _slack in PLUGINS)
SLACK_PLUGINS = tuple(slack for _core, slack in PLUGINS if slack is not None)
# The merged job table, for the CLI and tests.
JOBS = REGISTRY.jobs


def renderer() -> Renderer:
    """Every builder: the adapter's own (answers, channel notices) and each workflow's."""
    return Renderer([notice_blocks.RENDERERS, *(p.renderers for p in SLACK_PLUGINS)])


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
    applied, idempotently: both under one lock, so that replicas started at
    the same instant on one PostgreSQL do each once (``migrate.startup_lock``)."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    db = make_session_factory(engine)
    # Replicas started at once: one at a time migrates and applies the teams file.
    with migrate.startup_lock(engine):
        if migrate_db:
            migrate.upgrade(engine, locked=True)
        if teams is None and settings.opsbot_teams_file:
            teams = load_teams_file(settings.opsbot_teams_file)
        if teams is not None:
            report = apply_teams(db=db, clock=clock, config=teams)
            log.info("teams applied: created %s, updated %s, deactivated %s", report.created, report.updated,
                     report.deactivated)
        with transaction(db) as s:  # OPSBOT_ADMINS: exactly the environment's, at every start
            admins.sync(s, admins.ENV, admins.parse_ids(settings.opsbot_admins), clock.now())

    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = make_client(token, settings.slack_api_url)
    oauth, tokens = _oauth(settings, engine, db, clock)
    gateway = SlackGateway(client, renderer(), tokens=tokens, api_url=settings.slack_api_url)
    worker = OutboxWorker(db=db, clock=clock, slack=gateway, loaders=REGISTRY.loaders, poll_interval=worker_poll)

    _wake_on_outbox_commits(db, worker)

    # Clicks and commands deferred past their ack (bot/kernel/inbox.py): decided in
    # this process, giving way to the acks of requests in flight.
    inbox = Inbox(engine=engine, clock=clock)
    inbox_mod.install(db, clock)
    inbox_worker = InboxWorker(db=db, clock=clock, inbox=inbox, busy=worker.busy, poll_interval=worker_poll)

    runner = JobRunner(db=db, clock=clock, jobs=REGISTRY.jobs, resenders=REGISTRY.resenders, away=REGISTRY.away,
                       slack=gateway, wake=worker.wake)
    bolt = _bolt_app(settings, client, token, oauth, tokens)
    register_revocations(bolt, oauth.on_revoked if oauth is not None else single_workspace_revoked)
    if oauth is not None:
        register_org_wide_workspace(bolt)
    handlers.register(bolt, Deps(db=db, clock=clock, inbox=inbox, snoozable=REGISTRY.snoozable,
                                 workspaces=oauth is not None), SLACK_PLUGINS)
    app = Opsbot(settings, engine, db, clock, bolt, client, worker, runner,
                 Scheduler(engine=engine, runner=runner, retention=_retention(settings, engine, db, clock)), inbox,
                 inbox_worker)
    _plan_on_team_commits(db, app.scheduler)
    # Callers show these: `serve` logs them, `jobs list` prints them.
    app.warnings = calendar_warnings(app)
    return app


def _retention(settings: Settings, engine: Engine, db: sessionmaker[Session], clock: Clock) -> Retention:
    """The daily retention run, with the OAuth side's purges: expired states, and the workspaces
    uninstalled longer ago than OPSBOT_WORKSPACE_RETENTION_DAYS."""

    def purge_workspaces(now: datetime) -> int:
        return len(workspaces.purge(db=db, clock=clock, days=settings.opsbot_workspace_retention_days, now=now))

    return Retention(db=db, clock=clock, days=settings.opsbot_retention_days,
                     purges={"expired OAuth states": lambda now: installations.purge_expired_states(engine, now),
                             "uninstalled workspace(s) past OPSBOT_WORKSPACE_RETENTION_DAYS": purge_workspaces})


def _wake_on_outbox_commits(db: sessionmaker[Session], worker: OutboxWorker) -> None:
    """Whatever commits an outbox row wakes the worker: delivery within
    milliseconds, without services or listeners having to remember it."""

    @event.listens_for(db, "after_commit")
    def _wake(session: Session) -> None:
        if session.info.pop("outbox", False):
            worker.wake()

    @event.listens_for(db, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("outbox", None)


def _plan_on_team_commits(db: sessionmaker[Session], scheduler: Scheduler) -> None:
    """A team set up, changed or archived in Slack gets its jobs planned at
    once, without a restart (when this process leads the scheduler; another
    leader sees the change within ``CHANGE_CHECK_SECONDS``, and a run is never
    missed: each job catches up on what fell due since the team was created)."""

    @event.listens_for(db, "after_commit")
    def _plan(session: Session) -> None:
        if session.info.pop(TEAMS_CHANGED, False):
            try:
                scheduler.sync_jobs()
            except Exception:
                log.exception("planning the jobs of a changed team failed; the next change check will")

    @event.listens_for(db, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(TEAMS_CHANGED, None)


def _oauth_config(settings: Settings, engine: Engine, db: sessionmaker[Session], clock: Clock) -> OAuthConfig:
    """OAuth mode: installations and states in the product's database, tokens sealed with
    OPSBOT_TOKEN_KEY (README "Tokens at rest"), the installer made an admin."""
    assert settings.slack_client_id and settings.slack_client_secret
    key = settings.opsbot_token_key.get_secret_value() if settings.opsbot_token_key else None
    if not key:
        log.warning("OPSBOT_PLAINTEXT_TOKENS is on: installed workspaces' tokens are stored unencrypted")

    def on_installed(user_id: str, workspace: str) -> None:
        with transaction(db) as s:  # an admin of the workspace they installed in, not of the others
            admins.installed_by(s, user_id, clock.now(), workspace)

    scopes = [w for w in settings.slack_scopes.replace(",", " ").split() if w] or bot_scopes()
    return OAuthConfig(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=scopes,
        installation_store=installations.InstallationStore(client_id=settings.slack_client_id, engine=engine,
                                                           sealer=installations.Sealer(key)),
        state_store=installations.OAuthStateStore(engine=engine, now=clock.now,
                                                  ttl_seconds=settings.oauth_state_ttl_seconds),
        state_ttl_seconds=settings.oauth_state_ttl_seconds,
        authorization_url=authorization_url(settings.slack_api_url),
        on_installed=on_installed,
        on_workspace_installed=lambda enterprise_id, team_id: workspaces.reinstalled(
            db=db, enterprise_id=enterprise_id, team_id=team_id),
        on_revoked=lambda event: workspaces.uninstalled(db=db, clock=clock, client_id=settings.slack_client_id or "",
                                                        event=event),
    )


def _oauth(settings: Settings, engine: Engine, db: sessionmaker[Session],
           clock: Clock) -> tuple[OAuthConfig | None, WorkspaceTokens | None]:
    """OAuth mode's flow, and the tokens with which what opsbot sends on its own goes out (that of
    the team's workspace); (None, None) in the single-workspace mode."""
    oauth = _oauth_config(settings, engine, db, clock) if settings.oauth else None
    tokens = _workspace_tokens(settings, engine, oauth)
    if oauth is None or tokens is None:
        return oauth, tokens
    return _forgetting(oauth, tokens), tokens


def _forgetting(oauth: OAuthConfig, tokens: WorkspaceTokens) -> OAuthConfig:
    """An uninstall or a new install drops the workspace's cached token (after the store changed)."""
    revoked, installed = oauth.on_revoked, oauth.on_workspace_installed

    def on_revoked(event: workspaces.Revocation) -> bool:
        try:
            return revoked(event)
        finally:
            tokens.forget(event.team_id, event.enterprise_id)

    def on_workspace_installed(enterprise_id: str | None, team_id: str | None) -> None:
        installed(enterprise_id, team_id)
        tokens.forget(team_id, enterprise_id)

    return replace(oauth, on_revoked=on_revoked, on_workspace_installed=on_workspace_installed)


def _workspace_tokens(settings: Settings, engine: Engine, oauth: OAuthConfig | None) -> WorkspaceTokens | None:
    """OAuth mode: each installed workspace's bot token from the store, refreshed (on SLACK_API_URL)
    one replica at a time under a PostgreSQL advisory lock per workspace."""
    if oauth is None:
        return None
    return WorkspaceTokens(store=oauth.installation_store, client_id=oauth.client_id,
                           client_secret=oauth.client_secret, client=make_client(None, settings.slack_api_url),
                           lock=lambda key: installations.refresh_lock(engine, key))


def _bolt_app(settings: Settings, client: WebClient, token: str | None, oauth: OAuthConfig | None = None,
              tokens: WorkspaceTokens | None = None) -> App:
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if not secret:
        raise ValueError("SLACK_SIGNING_SECRET is not set: opsbot verifies every request from Slack")
    # Bolt builds each request's client from authorize()'s token; the OAuth flow calls
    # oauth.v2.access on it too: both on SLACK_API_URL.
    bolt_client = make_client(None, settings.slack_api_url)
    if oauth is not None:
        flow, authorize = oauth_flow(oauth, bolt_client, tokens)
        return App(client=bolt_client, logger=_bolt_logger(), authorize=authorize, oauth_flow=flow,
                   oauth_settings=flow.settings, signing_secret=secret, process_before_response=True,
                   token_verification_enabled=False, request_verification_enabled=True)
    return App(
        client=bolt_client,
        logger=_bolt_logger(),
        authorize=cached_authorize(client, token),
        signing_secret=secret,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=True,
    )


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
    from bot.kernel.team import team_view
    from storage import queries

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
