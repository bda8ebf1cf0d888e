""""Add to Slack": Bolt's OAuth flow and the authorization of many workspaces (issue 19).

Used only in OAuth mode (``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set); a single-workspace
deployment keeps ``handlers/auth.py``. ``/slack/install`` sends the installer to Slack with a
state, ``/slack/oauth_redirect`` exchanges the code (``oauth.v2.access``) on the configured
``SLACK_API_URL``, stores the installation, and makes the installer an opsbot admin through the
callback the composition root hands in. Each request is then authorized from the stored
installation of its workspace, with Bolt's cache on: one ``auth.test`` per token, not per request.

``app_uninstalled`` and ``tokens_revoked`` (the bot's) are not left to Bolt's built-in listeners,
which delete whatever installation is stored: they go to ``bot/kernel/workspaces.py``, which
ignores an event older than the current installation, then deletes the installation and stops the
workspace in one transaction. A new install clears that (the success callback).

Outside requests (the outbox, scheduled jobs, Home) ``WorkspaceTokens`` finds the bot token of a
team's workspace in the same store, and refreshes a rotating token that expires within
``TOKEN_ROTATION_MINUTES`` before it is used: one refresh at a time per workspace, in this process
(a lock) and across replicas (``lock``: a PostgreSQL advisory lock), the installation read again
under the lock so that a token another replica just refreshed is used rather than refreshed twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from slack_bolt import App, BoltContext
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from slack_sdk.oauth.token_rotation.rotator import SlackTokenRotationError

from bot.kernel.workspaces import APP_UNINSTALLED, TOKENS_REVOKED, Revocation
from handlers.ids import COMMAND_SCOPE, METHOD_SCOPES, Event

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Refresh a rotating token this long before it expires.
TOKEN_ROTATION_MINUTES = 120
# Requests' authorizations Bolt keeps (one per token): far more than the workspaces served at once.
AUTHORIZE_CACHE_SIZE = 10_000
# The outbox and the jobs reuse a workspace's token read from the store for this long (seconds)
# rather than query and decrypt it per notice: a fan-out sends hundreds a second.
TOKEN_CACHE_SECONDS = 30.0

log = logging.getLogger(__name__)


def authorization_url(api_url: str) -> str:
    """``https://slack.com/api/`` → ``https://slack.com/oauth/v2/authorize``."""
    return urljoin(api_url.rstrip("/").removesuffix("/api") + "/", "oauth/v2/authorize")


def bot_scopes() -> list[str]:
    """The bot scopes the code calls for: exactly app.yaml's (``tests/test_manifest.py``)."""
    needed = {COMMAND_SCOPE}
    for scope in METHOD_SCOPES.values():
        if scope is not None:
            needed.update((scope,) if isinstance(scope, str) else scope)
    return sorted(needed)


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: str
    scopes: Sequence[str]
    installation_store: InstallationStore
    state_store: OAuthStateStore
    state_ttl_seconds: int
    # Slack's authorize page, beside the Web API (SLACK_API_URL's host: slack.com, GovSlack, a stand-in).
    authorization_url: str
    # Told the installer's user id once their installation is stored, and where they installed:
    # the workspace's team id, or the org's enterprise id for an org-wide install.
    on_installed: Callable[[str, str], None]
    # Told (enterprise id, team id) of every new installation: a reinstall serves the workspace again.
    on_workspace_installed: Callable[[str | None, str | None], None] = lambda enterprise_id, team_id: None
    # Told each uninstall or bot-token revocation; False when it was older than the installation.
    on_revoked: Callable[[Revocation], bool] = lambda revocation: False


def _callbacks(config: OAuthConfig) -> CallbackOptions:
    def success(args: SuccessArgs) -> BoltResponse:
        installer = args.installation.user_id
        config.on_workspace_installed(args.installation.enterprise_id,
                                      None if args.installation.is_enterprise_install else args.installation.team_id)
        if installer:
            inst = args.installation
            config.on_installed(installer, (inst.enterprise_id if inst.is_enterprise_install else inst.team_id) or "")
        if args.installation.is_enterprise_install:  # Enterprise Grid: the whole org, no team
            log.info("installed org-wide in enterprise %s by %s", args.installation.enterprise_id, installer)
        else:
            log.info("installed in team %s (enterprise %s) by %s", args.installation.team_id,
                     args.installation.enterprise_id, installer)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return args.default.failure(args)

    return CallbackOptions(success=success, failure=failure)


def oauth_flow(config: OAuthConfig, client: WebClient, tokens: WorkspaceTokens | None = None
               ) -> tuple[OAuthFlow, InstallationStoreAuthorize]:
    """Bolt's OAuth flow, its Web API calls on ``client`` (the configured base URL), and the
    authorization every request goes through, its ``auth.test`` answers cached per token. Given
    ``tokens``, a rotating token due on the request path is refreshed through its locks too."""
    settings = OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=_callbacks(config),
        installation_store=config.installation_store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
        state_store=config.state_store,
        state_expiration_seconds=config.state_ttl_seconds,
        authorization_url=config.authorization_url,
    )
    authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=config.installation_store,
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    # Bolt keys its cache by token and never forgets one: each rotation (twice a day per workspace)
    # and each reinstall would add an entry for as long as the process runs.
    authorize.authorize_result_cache = Bounded(AUTHORIZE_CACHE_SIZE)
    if tokens is not None:
        authorize.token_rotator = tokens.serial_rotator()
    return OAuthFlow(client=client, settings=settings), authorize


class Bounded(OrderedDict):  # type: ignore[type-arg]
    """A mapping that keeps the ``size`` entries set most recently (Bolt's authorization cache)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


def revocation(reason: str, body: dict, context: BoltContext) -> Revocation | None:
    """The workspace an uninstall or a revocation is about, and when Slack says it happened."""
    event_time = body.get("event_time")
    if not isinstance(event_time, int) or isinstance(event_time, bool):
        return None
    org_wide = bool(context.is_enterprise_install)
    return Revocation(reason, context.enterprise_id, None if org_wide else context.team_id, event_time)


def single_workspace_revoked(event: Revocation) -> bool:
    """Single-workspace mode keeps no installation: say what happened, and what to do."""
    log.warning("%s in team %s: SLACK_BOT_TOKEN no longer works; reinstall the app and set the new token",
                event.reason, event.team_id)
    return True


def request_workspace(body: dict) -> str | None:
    """The workspace of the org a request comes from, where Slack says it besides ``team``: an
    event under an org-wide install names it in ``context_team_id`` (its ``authorizations`` carry
    ``team_id: null``); an interaction whose ``team`` is null, in the user's or the view's."""
    user, view = body.get("user"), body.get("view")
    for found in (body.get("context_team_id"), body.get("team_id"),
                  user.get("team_id") if isinstance(user, dict) else None,
                  view.get("team_id") if isinstance(view, dict) else None):
        if isinstance(found, str) and found:
            return found
    return None


def register_org_wide_workspace(app: App) -> None:
    """Enterprise Grid: a request under an org-wide install is authorized with the org's
    installation (Bolt asks the store for ``enterprise_id`` and no team), but acts in the workspace
    it came from. Bolt leaves ``context.team_id`` unset when the payload names the workspace only
    outside ``team`` and ``authorizations`` (events): set it here, after authorization, so that
    ``Deps.workspace`` and ``Deps.scope`` see the request's workspace, never the whole org."""

    @app.middleware
    def org_wide_request_workspace(context: BoltContext, body: dict, next: Callable[[], None]) -> None:
        if context.is_enterprise_install and not context.team_id:
            workspace = request_workspace(body)
            if workspace:
                context["team_id"] = workspace
        next()


def register_revocations(app: App, on_revoked: Callable[[Revocation], bool]) -> None:
    """``app_uninstalled`` and the bot's ``tokens_revoked``: signed like every event, and needing
    no token (Bolt skips authorization for them: the token is gone)."""

    def revoked(reason: str, body: dict, context: BoltContext) -> None:
        event = revocation(reason, body, context)
        if event is None:
            log.warning("%s without an event_time: ignored, so as never to delete a newer installation", reason)
            return
        on_revoked(event)

    @app.event(Event.APP_UNINSTALLED.value)
    def app_uninstalled(ack: Callable[[], None], body: dict, context: BoltContext) -> None:
        ack()
        revoked(APP_UNINSTALLED, body, context)

    @app.event(Event.TOKENS_REVOKED.value)
    def tokens_revoked(ack: Callable[[], None], body: dict, event: dict, context: BoltContext) -> None:
        ack()
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        if not tokens.get("bot"):
            # Only people's tokens: opsbot asks for none (bot-only installs), so nothing changes.
            log.info("tokens_revoked in team %s without the bot's: nothing to do", context.team_id)
            return
        revoked(TOKENS_REVOKED, body, context)


class WorkspaceTokens:
    """The bot token of each installed workspace, for what opsbot sends on its own (the outbox,
    jobs, Home): found in the installation store, kept for ``TOKEN_CACHE_SECONDS``, refreshed
    first when it rotates and is due. ``lock(workspace)`` serialises refreshes across replicas;
    the store is read again under it. Tokens are never logged.

    The short cache is safe: every replica sees a rotating token's expiry alike, so a cached
    token falls due when the stored one does and is then read again under the lock; an uninstall
    or a reinstall in this process forgets the workspace at once; one done on another replica
    stops its notices anyway (the uninstall mark is read per notice), and a call refused with a
    token that another replica replaced is made again with the new one (``stale``)."""

    def __init__(self, *, store: InstallationStore, client_id: str, client_secret: str, client: WebClient,
                 lock: Callable[[str], AbstractContextManager[None]],
                 wall_clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store, self.lock, self._now, self._monotonic = store, lock, wall_clock, monotonic
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._cache: dict[tuple[str, str | None], tuple[float, Bot]] = {}  # (workspace, org) → (read at, bot)
        self._reads: dict[tuple[str, str | None], threading.Lock] = {}

    def _cached(self, workspace: str, enterprise_id: str | None) -> Bot | None:
        """The installation's bot, from the cache while it is fresh, else from the store (an
        absent installation is not cached: a new install is seen at once)."""
        key = (workspace, enterprise_id)
        hit = self._cache.get(key)
        if hit is not None and self._monotonic() - hit[0] < TOKEN_CACHE_SECONDS:
            return hit[1]
        with self._guard:
            reading = self._reads.setdefault(key, threading.Lock())
        with reading:  # one read per workspace at a time: threads missing together wait for it
            hit = self._cache.get(key)
            if hit is not None and self._monotonic() - hit[0] < TOKEN_CACHE_SECONDS:
                return hit[1]
            return self._read(key)

    def _read(self, key: tuple[str, str | None]) -> Bot | None:
        now = self._monotonic()
        bot = self._find(*key)
        with self._guard:
            if bot is None:
                self._cache.pop(key, None)
            else:
                if len(self._cache) > 10_000:  # workspaces not sent to lately
                    self._cache = {k: v for k, v in self._cache.items() if now - v[0] < TOKEN_CACHE_SECONDS}
                self._cache[key] = (now, bot)
        return bot

    def forget(self, workspace: str | None, enterprise_id: str | None) -> None:
        """Drop what is cached for the workspace (an org-wide install: every workspace of the org)."""
        with self._guard:
            for key in [k for k in self._cache if (k[0] == workspace if workspace else k[1] == enterprise_id)]:
                del self._cache[key]

    def stale(self, workspace: str, enterprise_id: str | None, token: str) -> bool:
        """Slack refused ``token``: whether the store now holds another one for the workspace
        (replaced on another replica), so that the call is worth making again. Forgets the cache."""
        self.forget(workspace, enterprise_id)
        fresh = self._cached(workspace, enterprise_id)
        return fresh is not None and fresh.bot_token != token

    def _find(self, workspace: str, enterprise_id: str | None) -> Bot | None:
        bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=workspace or None)
        if bot is None and enterprise_id:  # an org-wide install serves every workspace of the org
            bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        return bot

    def _due(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return expires is not None and expires <= self._now() + TOKEN_ROTATION_MINUTES * 60

    def token(self, workspace: str, enterprise_id: str | None) -> str | None:
        """The workspace's bot token, or None when it has no installation. Raises the Web API's
        error (``SlackApiError``) or a network error when a due refresh fails."""
        if not workspace and not enterprise_id:
            return None
        bot = self._cached(workspace, enterprise_id)
        if bot is not None and self._due(bot):
            try:  # locked on the installation's own ids (an org-wide one serves many workspaces)
                bot = self.refreshed(bot.team_id or "", bot.enterprise_id)
            except SlackTokenRotationError as e:
                log.warning("refreshing the bot token of workspace %s failed: %s", workspace,
                            (e.api_error.response.data or {}).get("error"))
                raise e.api_error from None
            self.forget(workspace, enterprise_id)  # read again at the next use, refreshed
        return bot.bot_token if bot is not None else None

    def refreshed(self, workspace: str, enterprise_id: str | None) -> Bot | None:
        """The workspace's installation with a token that is not due, refreshed and saved here
        unless another thread or replica did it first; None if it has no installation. Raises
        ``SlackTokenRotationError`` when Slack refuses the refresh."""
        key = f"{enterprise_id or '-'}:{workspace or '-'}"
        with self._guard:
            local = self._locks.setdefault(key, threading.Lock())
        with local, self.lock(key):
            bot = self._find(workspace, enterprise_id)  # again: another thread or replica may have refreshed
            if bot is None:
                return None
            fresh = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=TOKEN_ROTATION_MINUTES)
            if fresh is None:
                return bot
            self.store.save_bot(fresh)
            log.info("refreshed the bot token of workspace %s (enterprise %s)", workspace, enterprise_id)
            return fresh

    def serial_rotator(self) -> TokenRotator:
        """For Bolt's request-path authorization: its refreshes go through the same locks, so a
        request and a job (or two replicas' requests) never spend one refresh token twice."""
        return _SerialRotator(self)


class _SerialRotator(TokenRotator):
    """A ``TokenRotator`` whose bot-token refresh is ``WorkspaceTokens.refreshed``: under the
    workspace's locks, the store read again first. None when nothing changed (not due)."""

    def __init__(self, tokens: WorkspaceTokens) -> None:
        super().__init__(client_id=tokens.rotator.client_id, client_secret=tokens.rotator.client_secret,
                         client=tokens.rotator.client)
        self.tokens = tokens

    def perform_bot_token_rotation(self, *, bot: Bot, minutes_before_expiration: int = 120) -> Bot | None:
        if not self.tokens._due(bot):
            return None
        fresh = self.tokens.refreshed(bot.team_id or "", bot.enterprise_id)
        return fresh if fresh is not None and fresh.bot_token != bot.bot_token else None
