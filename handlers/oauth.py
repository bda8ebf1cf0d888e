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
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from slack_bolt import App, BoltContext
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from bot.kernel.workspaces import APP_UNINSTALLED, TOKENS_REVOKED, Revocation
from handlers.ids import COMMAND_SCOPE, METHOD_SCOPES, Event

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
            config.on_installed(installer)
        log.info("installed in team %s (enterprise %s) by %s", args.installation.team_id,
                 args.installation.enterprise_id, installer)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("an install failed: %s", args.reason)
        return args.default.failure(args)

    return CallbackOptions(success=success, failure=failure)


def oauth_flow(config: OAuthConfig, client: WebClient) -> tuple[OAuthFlow, InstallationStoreAuthorize]:
    """Bolt's OAuth flow, its Web API calls on ``client`` (the configured base URL), and the
    authorization every request goes through, its ``auth.test`` answers cached per token."""
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
    return OAuthFlow(client=client, settings=settings), authorize


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
