"""A local stand-in for the Slack Web API.

Used by the test suite and by ``opsbot demo``: it speaks enough of the Web API
for the real ``slack_sdk.WebClient`` (and so Bolt) to talk to it, records every
call, and can be told to fail in the ways Slack fails (5xx, 429 with
``Retry-After``, dropped connections, ``not_in_channel``).

Stdlib only; no test framework imports.

Typical use::

    with SlackStandIn(users={"U1": {"name": "ana", "tz": "Europe/Madrid"}}) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages_to("C1")[0].params["text"] == "hi"
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# BOT_ID, BOT_USER_ID, TEAM_ID, Call, Handler and visible_text were defined here, and
# are re-exported (``X as X``) so they can still be imported from here.
from bot.devtools.slack_standin_calls import BOT_ID as BOT_ID
from bot.devtools.slack_standin_calls import BOT_USER_ID as BOT_USER_ID
from bot.devtools.slack_standin_calls import TEAM_ID as TEAM_ID
from bot.devtools.slack_standin_calls import ApiError, resolve_channel, truthy
from bot.devtools.slack_standin_calls import Call as Call
from bot.devtools.slack_standin_calls import Handler as Handler
from bot.devtools.slack_standin_calls import visible_text as visible_text
from bot.devtools.slack_standin_faults import FaultInjection, TokenBucket
from bot.devtools.slack_standin_http import RequestHandler
from bot.devtools.slack_standin_methods import (
    AuthMethods,
    ChatMethods,
    ConversationMethods,
    FileMethods,
    ViewMethods,
)
from bot.devtools.slack_standin_oauth import OAuthMethods

__all__ = ["Call", "SlackStandIn", "visible_text"]


class SlackStandIn(FaultInjection, OAuthMethods, AuthMethods, ChatMethods, ViewMethods, FileMethods,
                   ConversationMethods):
    """A threaded HTTP server on 127.0.0.1 that answers like the Slack Web API.

    Faults (``fail_next``, ``rate_limit_next``, ``drop_connections_next``) apply to
    API methods other than ``auth.test``; ``set_outage`` applies to every API
    method. Response-URL posts are never faulted. A faulted call changes no state.
    """

    def __init__(
        self,
        users: dict[str, dict[str, Any]] | None = None,
        *,
        rate_limits: dict[str, tuple[float, int]] | None = None,
        workspace_limits: dict[str, tuple[float, int]] | None = None,
    ) -> None:
        self.users: dict[str, dict[str, Any]] = {uid: dict(u) for uid, u in (users or {}).items()}
        # Channels the bot is not a member of: posts there answer not_in_channel.
        self.not_in_channel: set[str] = set()
        # Private channels: conversations.info cannot see them unless the bot is in, nor join them.
        self.private_channels: set[str] = set()
        # Per-method (rate per second per channel, burst); None = no limiting.
        self.rate_limits: dict[str, tuple[float, int]] | None = rate_limits
        # Per-method (rate per second for the whole workspace, burst); None = no cap.
        self.workspace_limits: dict[str, tuple[float, int]] | None = workspace_limits
        # Per-method seconds before the answer, as Slack's own round trip (bench/: real-world latency).
        self.latency: dict[str, float] = {}

        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        # files.getUploadURLExternal → POST /upload/<id> → files.completeUploadExternal
        self._files: dict[str, dict[str, Any]] = {}
        self._file_counter = 0
        self._response_urls: set[str] = set()
        self._extra_handlers: dict[str, Handler] = {}
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._ts_counter = 0
        self._view_counter = 0

        self._fail_next = 0
        self._fail_status = 500
        self._rate_limit_next = 0
        self._retry_after = 1
        self._drop_next = 0
        self._outage: int | None = None
        self._init_oauth()  # workspaces, codes and the tokens oauth.v2.access issued

        self._server: http.server.ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self.connections_opened = 0  # TCP connections accepted: fewer than calls when kept alive
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        standin = self

        class _Handler(RequestHandler):
            owner = standin
            open_connections = self._connections

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"slack-standin-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        for conn in list(self._connections):  # kept-alive ones too: nothing answers any more
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._connections.clear()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # ------------------------------------------------------------ set-up

    def set_user(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Add or update a user ``users.info`` knows about."""
        with self._lock:
            user = self.users.setdefault(user_id, {})
            user.update(fields)
            return dict(user)

    def on(self, method: str, handler: Handler) -> None:
        """Answer ``method`` with ``handler(params) -> response dict`` (``ok`` defaults to True)."""
        with self._lock:
            self._extra_handlers[method] = handler

    def new_response_url(self) -> str:
        rid = secrets.token_hex(8)
        with self._lock:
            self._response_urls.add(rid)
        return f"{self.base_url}/response/{rid}"

    # ------------------------------------------------------------ faults
    # fail_next, rate_limit_next, drop_connections_next and set_outage come
    # from FaultInjection (bot/devtools/slack_standin_faults.py).

    # ------------------------------------------------------------ inspection

    def calls(self, method: str | None = None, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [
                c for c in self._calls if (method is None or c.method == method) and (c.ok or not ok_only)
            ]

    def all_calls(self) -> list[Call]:
        """Every recorded call, failed ones included."""
        return self.calls(ok_only=False)

    def clear(self) -> None:
        """Forget recorded calls (stored messages, views and users stay)."""
        with self._lock:
            self._calls.clear()

    def reset(self) -> None:
        """Forget calls, messages, views, faults and rate-limit state (users stay)."""
        with self._lock:
            self._calls.clear()
            self._messages.clear()
            self._views.clear()
            self._home_views.clear()
            self._buckets.clear()
            self.not_in_channel.clear()
            self.private_channels.clear()
            self._fail_next = self._rate_limit_next = self._drop_next = 0
            self._outage = None

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5.0) -> list[Call]:
        """Poll until ``predicate(all recorded calls)`` is truthy; return those calls.

        The predicate sees every call, failed ones included. Raises AssertionError
        with a dump of the calls on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.all_calls()
            if predicate(snapshot):
                return snapshot
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"SlackStandIn.wait_for timed out after {timeout}s; "
                    f"{len(snapshot)} call(s) recorded:\n{self.dump(snapshot)}"
                )
            time.sleep(0.01)

    def messages_to(self, channel: str) -> list[Call]:
        """Successful chat.postMessage calls to ``channel`` (a channel id, a user id or its DM id)."""
        return [
            c
            for c in self.calls("chat.postMessage")
            if channel in (c.params.get("channel"), c.response.get("channel"))
        ]

    def responses(self, url: str | None = None) -> list[Call]:
        """Posts to response URLs, optionally only those to ``url`` (full URL or path)."""
        out = self.calls("response_url", ok_only=False)
        if url is not None:
            path = urlsplit(url).path
            out = [c for c in out if c.params.get("_url") == path]
        return out

    def files(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files shared through the upload v2 flow (``content`` holds the bytes), oldest first."""
        with self._lock:
            shared = [dict(f) for f in self._files.values() if f.get("channel")]
        return [f for f in shared if channel is None or f["channel"] == resolve_channel(channel)]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The stored message (after updates) or None."""
        with self._lock:
            msg = self._messages.get((resolve_channel(channel), ts))
            return json.loads(json.dumps(msg)) if msg is not None else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            v = self._views.get(view_id)
            return json.loads(json.dumps(v)) if v is not None else None

    @staticmethod
    def dump(calls: Iterable[Call]) -> str:
        lines = []
        for c in calls:
            params = json.dumps(c.params, default=repr, ensure_ascii=False)
            if len(params) > 300:
                params = params[:300] + "..."
            err = "" if c.ok else f" error={c.response.get('error')!r}"
            lines.append(f"  {c.method} status={c.status} ok={c.ok}{err} params={params}")
        return "\n".join(lines) or "  (none)"

    # ------------------------------------------------------------ internals

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Answer one API call. Raises ApiError for Slack-style errors."""
        with self._lock:
            extra = self._extra_handlers.get(method)
            if extra is not None:
                return {"ok": True, **extra(params)}
            if method == "auth.test":  # answered per token: whose workspace it was issued for
                return self._auth_test(params, token)
            if method == "users.list":  # a workspace's token lists that workspace's people
                return self._users_list(params, self.token_team(token))
            impl = _METHODS.get(method)
            if impl is None:
                raise ApiError("unknown_method")
            return impl(self, params)

    # -- methods (the other families are the mixins': bot/devtools/slack_standin_methods.py)
    # users.* stays here: tz_offset, like Slack's, is the zone's offset today, and this
    # module is the one place outside bot/kernel/clock.py allowed to read the clock.

    def _users_list(self, params: dict[str, Any], team: str | None = None) -> dict[str, Any]:
        """Every known user, paged by ``limit`` (default 200) and ``cursor``; with ``team`` (the
        workspace of a token ``oauth.v2.access`` issued), those whose ``team_id`` is that workspace
        when users are given one."""
        try:
            limit = max(1, min(int(params.get("limit") or 200), 1000))
            start = int(params.get("cursor") or 0)
        except ValueError:
            raise ApiError("invalid_cursor") from None
        ids = sorted(u for u, f in self.users.items() if team is None or f.get("team_id", team) == team)
        page = ids[start:start + limit]
        members = [self._users_info({"user": u, "include_locale": params.get("include_locale")})["user"] for u in page]
        nxt = str(start + limit) if start + limit < len(ids) else ""
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": nxt}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        fields = self.users.get(user_id) if isinstance(user_id, str) else None
        if fields is None:
            raise ApiError("user_not_found")
        name = fields.get("name", user_id.lower())
        real_name = fields.get("real_name", name)
        tz = fields.get("tz", "UTC")
        tz_offset = fields.get("tz_offset")
        if tz_offset is None:
            try:
                off = dt.datetime.now(ZoneInfo(tz)).utcoffset()
                tz_offset = int(off.total_seconds()) if off is not None else 0
            except (ZoneInfoNotFoundError, ValueError):
                tz_offset = 0
        profile = {
            "display_name": fields.get("display_name", name),
            "real_name": real_name,
            **(fields.get("profile") or {}),
        }
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": fields.get("team_id", TEAM_ID),
            "name": name,
            "real_name": real_name,
            "deleted": bool(fields.get("deleted", False)),
            "tz": tz,
            "tz_label": fields.get("tz_label", tz),
            "tz_offset": int(tz_offset),
            "is_bot": bool(fields.get("is_bot", False)),
            "is_admin": bool(fields.get("is_admin", False)),
            "is_owner": bool(fields.get("is_owner", False)),
            "profile": profile,
        }
        if truthy(params.get("include_locale")):
            user["locale"] = fields.get("locale", "en-US")
        return {"ok": True, "user": user}


_METHODS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
    "oauth.v2.access": SlackStandIn._oauth_v2_access,
    "chat.postMessage": SlackStandIn._chat_post_message,
    "chat.update": SlackStandIn._chat_update,
    "chat.delete": SlackStandIn._chat_delete,
    "chat.postEphemeral": SlackStandIn._chat_post_ephemeral,
    "views.open": SlackStandIn._views_open,
    "views.push": SlackStandIn._views_push,
    "views.update": SlackStandIn._views_update,
    "views.publish": SlackStandIn._views_publish,
    "users.info": SlackStandIn._users_info,
    "users.list": SlackStandIn._users_list,
    "conversations.open": SlackStandIn._conversations_open,
    "conversations.info": SlackStandIn._conversations_info,
    "conversations.join": SlackStandIn._conversations_join,
    "files.getUploadURLExternal": SlackStandIn._files_get_upload_url_external,
    "files.completeUploadExternal": SlackStandIn._files_complete_upload_external,
}
