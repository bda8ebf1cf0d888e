""""Add to Slack": Bolt's OAuth flow and the authorization of many workspaces (issue 19).

Used only in OAuth mode (``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set); a single-workspace
deployment keeps ``handlers/auth.py``. ``/slack/install`` sends the installer to Slack with a
state, ``/slack/oauth_redirect`` exchanges the code (``oauth.v2.access``) on the configured
``SLACK_API_URL``, stores the installation, and makes the installer an opsbot admin through the
callback the composition root hands in. Each request is then authorized from the stored
installation of its workspace, with Bolt's cache on: one ``auth.test`` per token, not per request.

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
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from urllib.parse import urljoin

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

from handlers.ids import COMMAND_SCOPE, METHOD_SCOPES

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# Refresh a rotating token this long before it expires.
TOKEN_ROTATION_MINUTES = 120

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
    # Told the installer's user id once their installation is stored.
    on_installed: Callable[[str], None]


def _callbacks(on_installed: Callable[[str], None]) -> CallbackOptions:
    def success(args: SuccessArgs) -> BoltResponse:
        installer = args.installation.user_id
        if installer:
            on_installed(installer)
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
        callback_options=_callbacks(config.on_installed),
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
    if tokens is not None:
        authorize.token_rotator = tokens.serial_rotator()
    return OAuthFlow(client=client, settings=settings), authorize


class WorkspaceTokens:
    """The bot token of each installed workspace, for what opsbot sends on its own (the outbox,
    jobs, Home): found in the installation store at each use, refreshed first when it rotates
    and is due. ``lock(workspace)`` serialises refreshes across replicas; the store is read
    again under it. Tokens are never logged."""

    def __init__(self, *, store: InstallationStore, client_id: str, client_secret: str, client: WebClient,
                 lock: Callable[[str], AbstractContextManager[None]],
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.store, self.lock, self._now = store, lock, wall_clock
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

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
        bot = self._find(workspace, enterprise_id)
        if bot is not None and self._due(bot):
            try:  # locked on the installation's own ids (an org-wide one serves many workspaces)
                bot = self.refreshed(bot.team_id or "", bot.enterprise_id)
            except SlackTokenRotationError as e:
                log.warning("refreshing the bot token of workspace %s failed: %s", workspace,
                            (e.api_error.response.data or {}).get("error"))
                raise e.api_error from None
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
