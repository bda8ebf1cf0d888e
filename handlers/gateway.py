"""The outbound port to Slack: delivers outbox notices through the Web API
and sorts Slack's refusals into retry-later and give-up.

In the single-workspace mode every call carries SLACK_BOT_TOKEN. In OAuth mode one deployment
serves many workspaces: ``gateway.at(workspace, enterprise_id)`` is the same port speaking with
that workspace's bot token, looked up (and refreshed when it rotates) by a ``TokenSource`` at each
call (``handlers/oauth.py``), one ``WebClient`` kept per token."""

from __future__ import annotations

import logging
import threading
import urllib.error
from collections.abc import Callable
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.kernel import notices
from bot.kernel.outbox import NotInChannel, NotInstalled, PermanentFailure, Profile, RetryLater
from handlers.keepalive import KeepAliveWebClient
from handlers.render import Renderer

log = logging.getLogger(__name__)

NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, TimeoutError, OSError, SlackRequestError)


class _ClientLogger(logging.LoggerAdapter):
    """slack_sdk's logger, for its clients. slack_sdk asks ``logger.level <= DEBUG`` before it
    formats a call's debug lines; a logger left at NOTSET (0, its default) always passes, so
    every call wrote its whole body into a string nobody logged (findings item 22). Here
    ``level`` is the level in effect, so the lines are formatted only when DEBUG is on."""

    @property
    def level(self) -> int:
        return self.logger.getEffectiveLevel()


_client_logger = _ClientLogger(logging.getLogger("slack_sdk.web.base_client"))


def make_client(token: str | None, base_url: str) -> WebClient:
    # One quick in-process retry for a dropped connection; everything longer
    # (5xx, 429, outages) is retried durably by the outbox.
    return KeepAliveWebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        logger=_client_logger,  # type: ignore[arg-type]
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def _classify(e: SlackApiError) -> Exception:
    status = getattr(e.response, "status_code", 200)
    error = (e.response.data or {}).get("error", "") if isinstance(e.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        retry_after = e.response.headers.get("Retry-After") or e.response.headers.get("retry-after")
        try:
            after = float(retry_after) if retry_after is not None else None
        except ValueError:
            after = None
        return RetryLater(f"429 {error}", after=after if after is not None else 1.0)
    if status >= 500 or error in ("fatal_error", "internal_error", "service_unavailable", "request_timeout"):
        return RetryLater(f"{status} {error}")
    if error == "not_in_channel":
        return NotInChannel(error)
    return PermanentFailure(f"{status} {error}")


class TokenSource(Protocol):
    """The bot token of an installed workspace, refreshed first when it is about to expire;
    None when the workspace has no installation (``handlers/oauth.py``: ``WorkspaceTokens``)."""

    def token(self, workspace: str, enterprise_id: str | None) -> str | None: ...

    def stale(self, workspace: str, enterprise_id: str | None, token: str) -> bool:
        """Slack refused ``token``: whether the workspace has another one now (worth a new try)."""
        ...


# What Slack answers a call made with a token that no longer works.
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


class SlackGateway:
    def __init__(self, client: WebClient, render: Renderer, *, tokens: TokenSource | None = None,
                 api_url: str = "") -> None:
        self.render, self.tokens, self.api_url = render, tokens, api_url
        self._client: Callable[[], WebClient] = lambda: client
        self._clients: dict[str, WebClient] = {}  # token -> its client, shared with every at()
        self._clients_lock = threading.Lock()
        self._where: tuple[str, str | None] | None = None  # at(): the workspace whose token it uses

    @property
    def client(self) -> WebClient:
        return self._client()

    def at(self, workspace: str, enterprise_id: str | None = None) -> SlackGateway:
        """This port for one workspace: itself in the single-workspace mode; in OAuth mode one
        whose calls carry that workspace's bot token, found at each call (``WorkspaceTokens``:
        cached briefly, refreshed when due, forgotten at an uninstall). Raises ``NotInstalled``
        from the call when the workspace has no installation."""
        if self.tokens is None:
            return self
        other = SlackGateway.__new__(SlackGateway)
        other.render, other.tokens, other.api_url = self.render, self.tokens, self.api_url
        other._clients, other._clients_lock = self._clients, self._clients_lock
        other._client = lambda: self._client_of(workspace, enterprise_id)
        other._where = (workspace, enterprise_id)
        return other

    def _refused(self, e: SlackApiError, client: WebClient | None) -> Exception:
        """What a refusal means for the outbox. A token refused (``AUTH_ERRORS``) that the store
        has replaced since it was cached (a reinstall on another replica) is worth one more try now."""
        error = (e.response.data or {}).get("error") if isinstance(e.response.data, dict) else None
        if (error in AUTH_ERRORS and client is not None and client.token and self._where is not None
                and self.tokens is not None and self.tokens.stale(*self._where, client.token)):
            return RetryLater(f"{error}: the workspace's token was replaced; sending with the new one", after=0)
        return _classify(e)

    def _client_of(self, workspace: str, enterprise_id: str | None) -> WebClient:
        assert self.tokens is not None
        try:
            token = self.tokens.token(workspace, enterprise_id)
        except SlackApiError as e:  # refreshing the token failed
            if (e.response.data or {}).get("error") in ("invalid_refresh_token", "invalid_grant", "token_revoked"):
                raise NotInstalled(f"workspace {workspace or '-'}: its token cannot be refreshed "
                                   f"({e.response.data.get('error')}); reinstall the app there") from None
            raise _classify(e) from None
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None
        if token is None and not (workspace or enterprise_id):
            raise NotInstalled("no installation: the team belongs to no Slack workspace (a teams-file team in "
                               "OAuth mode?); set teams up with /opsbot setup in their workspace")
        if token is None:
            raise NotInstalled(f"workspace {workspace} has no installation (never installed, or uninstalled): "
                               "not sent")
        with self._clients_lock:
            client = self._clients.get(token)
            if client is None:
                if len(self._clients) > 10_000:  # rotated tokens leave old clients behind
                    self._clients.clear()
                client = self._clients[token] = make_client(token, self.api_url)
            return client

    def deliver(self, kind: str, loaded: notices.Loaded) -> dict[str, Any]:
        payload = self.render(loaded.view)
        client: WebClient | None = None
        try:
            if kind == notices.RESPONSE:  # a response_url carries its own authority: no token
                return self._respond(loaded.url or "", payload)
            client = self.client
            if kind == notices.HOME:
                client.views_publish(user_id=loaded.channel, view=payload)
                return {}
            if kind == notices.FILE:
                return self._share_file(client, loaded.channel or "", payload)
            if kind == notices.CARD and loaded.ts:
                r = client.chat_update(channel=loaded.channel, ts=loaded.ts, **payload)
            else:
                r = client.chat_postMessage(channel=loaded.channel, unfurl_links=False, unfurl_media=False,
                                            **payload)
            return {"channel": r.get("channel"), "ts": r.get("ts")}
        except SlackApiError as e:
            raise self._refused(e, client) from None
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None

    def _share_file(self, client: WebClient, recipient: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Upload v2 (get an upload URL, send the bytes, complete): the file is
        shared only at the last step, so a retry after a failure cannot post it twice."""
        channel = recipient
        if recipient[:1] in ("U", "W"):
            channel = client.conversations_open(users=recipient)["channel"]["id"]
        r = client.files_upload_v2(channel=channel, **payload)
        return {"channel": channel, "file": (r.get("file") or {}).get("id")}

    def _respond(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            r = WebhookClient(url, timeout=10).send_dict(payload)
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None
        if r.status_code == 429 or r.status_code >= 500:
            raise RetryLater(f"response_url {r.status_code}")
        if r.status_code != 200:
            # An expired response_url (30 min) cannot be fixed by retrying.
            raise PermanentFailure(f"response_url {r.status_code} {r.body}")
        return {}

    def list_profiles(self) -> list[Profile]:
        """Every person in the workspace, a page of ``users.list`` at a time:
        one call per 200 people instead of one ``users.info`` per person."""
        out: list[Profile] = []
        cursor: str | None = None
        client = self.client
        while True:
            try:
                r = client.users_list(limit=200, include_locale=True, cursor=cursor)
            except SlackApiError as e:
                raise self._refused(e, client) from None
            except NETWORK_ERRORS as e:
                raise RetryLater(f"network: {type(e).__name__}") from None
            out.extend(profile_of(u) for u in r.get("members") or [])
            cursor = (r.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return out

    def fetch_profile(self, user_id: str) -> Profile | None:
        client = self.client
        try:
            r = client.users_info(user=user_id, include_locale=True)
        except SlackApiError as e:
            if (e.response.data or {}).get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise self._refused(e, client) from None
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None
        return profile_of(r["user"], user_id)


def profile_of(u: dict[str, Any], user_id: str | None = None) -> Profile:
    profile = u.get("profile") or {}
    return Profile(
        user_id=user_id or u["id"],
        name=profile.get("real_name") or u.get("real_name") or profile.get("display_name") or u.get("name"),
        tz=u.get("tz"),
        locale=u.get("locale"),
        deleted=bool(u.get("deleted")),
        workspace_admin=bool(u.get("is_owner") or u.get("is_admin")),
    )
