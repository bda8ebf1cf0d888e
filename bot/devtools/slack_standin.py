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
import email.parser
import email.policy
import http.server
import json
import math
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Call", "SlackStandIn", "visible_text"]

TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

# Form fields slack_sdk sends as JSON strings; decoded into Python objects.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata")
# Methods the "next n" fault injections never hit (Bolt calls it at start-up).
_FAULT_EXEMPT = frozenset({"auth.test"})

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request the stand-in received, and what it answered."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    ok: bool
    response: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    for key in _JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass
    return params


def _parse_form(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        out[key] = values[0] if len(values) == 1 else values
    return out


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    out: dict[str, Any] = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            out[name] = payload
        else:
            out[name] = payload.decode(part.get_content_charset() or "utf-8")
    return out


def _dm_channel(user_id: str) -> str:
    return "D" + user_id[1:]


class SlackStandIn:
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
        # Per-method (rate per second per channel, burst); None = no limiting.
        self.rate_limits: dict[str, tuple[float, int]] | None = rate_limits
        # Per-method (rate per second for the whole workspace, burst); None = no cap.
        self.workspace_limits: dict[str, tuple[float, int]] | None = workspace_limits

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
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._ts_counter = 0
        self._view_counter = 0

        self._fail_next = 0
        self._fail_status = 500
        self._rate_limit_next = 0
        self._retry_after = 1
        self._drop_next = 0
        self._outage: int | None = None

        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        if self._server is not None:
            return self
        standin = self

        class _Handler(_RequestHandler):
            owner = standin

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

    def fail_next(self, n: int, status: int = 500) -> None:
        """The next ``n`` API calls (not auth.test) answer ``status`` with ``fatal_error``."""
        with self._lock:
            self._fail_next = n
            self._fail_status = status

    def rate_limit_next(self, n: int, retry_after: int = 1) -> None:
        """The next ``n`` API calls (not auth.test) answer 429 with ``Retry-After``."""
        with self._lock:
            self._rate_limit_next = n
            self._retry_after = retry_after

    def drop_connections_next(self, n: int) -> None:
        """The next ``n`` API calls (not auth.test) get their socket closed with no answer."""
        with self._lock:
            self._drop_next = n

    def set_outage(self, status: int | None = 500) -> None:
        """Every API call answers ``status`` until ``set_outage(None)``."""
        with self._lock:
            self._outage = status

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
        return [f for f in shared if channel is None or f["channel"] == self._resolve_channel(channel)]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The stored message (after updates) or None."""
        with self._lock:
            msg = self._messages.get((self._resolve_channel(channel), ts))
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

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = 1_700_000_000_000_000 + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _resolve_channel(channel: str) -> str:
        return _dm_channel(channel) if channel.startswith(("U", "W")) else channel

    def _fault(
        self, method: str, params: dict[str, Any]
    ) -> tuple[str, int, dict[str, Any], dict[str, str]] | None:
        """Decide, under the lock, whether this call is faulted.

        Returns (kind, status, body, headers) with kind "drop" or "error", or None.
        """
        with self._lock:
            if self._outage is not None:
                return "error", self._outage, {"ok": False, "error": "fatal_error"}, {}
            exempt = method in _FAULT_EXEMPT
            if not exempt and self._drop_next > 0:
                self._drop_next -= 1
                return "drop", 0, {}, {}
            if not exempt and self._rate_limit_next > 0:
                self._rate_limit_next -= 1
                return (
                    "error",
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(self._retry_after)},
                )
            if not exempt and self._fail_next > 0:
                self._fail_next -= 1
                return "error", self._fail_status, {"ok": False, "error": "fatal_error"}, {}
            buckets: list[tuple[tuple[str, str], float, int]] = []
            if self.rate_limits and method in self.rate_limits:
                rate, burst = self.rate_limits[method]
                channel = str(params.get("channel") or params.get("user") or "")
                buckets.append(((method, self._resolve_channel(channel) if channel else ""), rate, burst))
            if self.workspace_limits and method in self.workspace_limits:
                rate, burst = self.workspace_limits[method]
                buckets.append(((method, "*workspace*"), rate, burst))
            if buckets:
                # A call must fit in every bucket it counts against; a refused
                # call takes no token from any of them.
                now = time.monotonic()
                waits = []
                for key, rate, burst in buckets:
                    bucket = self._buckets.get(key)
                    if bucket is None:
                        bucket = self._buckets[key] = _Bucket(float(burst), now)
                    bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.stamp) * rate)
                    bucket.stamp = now
                    if bucket.tokens < 1.0:
                        waits.append((1.0 - bucket.tokens) / rate if rate > 0 else 60.0)
                if waits:
                    retry_after = max(1, math.ceil(max(waits)))
                    return (
                        "error",
                        429,
                        {"ok": False, "error": "ratelimited"},
                        {"Retry-After": str(retry_after)},
                    )
                for key, _rate, _burst in buckets:
                    self._buckets[key].tokens -= 1.0
            return None

    def _dispatch(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Answer one API call. Raises _ApiError for Slack-style errors."""
        with self._lock:
            extra = self._extra_handlers.get(method)
            if extra is not None:
                return {"ok": True, **extra(params)}
            impl = _METHODS.get(method)
            if impl is None:
                raise _ApiError("unknown_method")
            return impl(self, params)

    # -- methods

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://standin.slack.test/",
            "team": "Stand-in Team",
            "user": "opsbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _check_channel(self, params: dict[str, Any]) -> str:
        channel = params.get("channel")
        if not channel or not isinstance(channel, str):
            raise _ApiError("channel_not_found")
        if channel in self.not_in_channel or self._resolve_channel(channel) in self.not_in_channel:
            raise _ApiError("not_in_channel")
        return self._resolve_channel(channel)

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_channel(params)
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise _ApiError("no_text")
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "team": TEAM_ID,
            "text": params.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if params.get(key):
                message[key] = params[key]
        self._messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_channel(params)
        ts = params.get("ts")
        message = self._messages.get((channel, ts)) if isinstance(ts, str) else None
        if message is None:
            raise _ApiError("message_not_found")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in params:
                message[key] = params[key]
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message.get("text", ""),
            "message": dict(message),
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_channel(params)
        ts = params.get("ts")
        if not isinstance(ts, str) or self._messages.pop((channel, ts), None) is None:
            raise _ApiError("message_not_found")
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_channel(params)
        if not params.get("user"):
            raise _ApiError("user_not_in_channel")
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise _ApiError("no_text")
        return {"ok": True, "message_ts": self._next_ts()}

    def _new_view(self, view: Any, **extra: Any) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise _ApiError("invalid_arguments")
        self._view_counter += 1
        stored = {
            "state": {"values": {}},
            **view,
            "id": f"V{self._view_counter:010d}",
            "team_id": TEAM_ID,
            "app_id": "A0APP",
            "bot_id": BOT_ID,
            "hash": f"h{self._view_counter}.{secrets.token_hex(4)}",
            **extra,
        }
        self._views[stored["id"]] = stored
        return stored

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            raise _ApiError("invalid_arguments")
        view = self._new_view(params.get("view"))
        return {"ok": True, "view": dict(view)}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise _ApiError("invalid_arguments")
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next((v for v in self._views.values() if v.get("external_id") == external_id), None)
        else:
            raise _ApiError("invalid_arguments")
        if current is None:
            raise _ApiError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        keep = {k: current[k] for k in ("id", "team_id", "app_id", "bot_id", "root_view_id") if k in current}
        self._view_counter += 1
        current.clear()
        current.update({"state": {"values": {}}, **view, **keep})
        current["hash"] = f"h{self._view_counter}.{secrets.token_hex(4)}"
        return {"ok": True, "view": dict(current)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise _ApiError("invalid_arguments")
        old_id = self._home_views.get(user_id)
        if old_id and params.get("hash") and params["hash"] != self._views[old_id]["hash"]:
            raise _ApiError("hash_conflict")
        if old_id:
            self._views.pop(old_id, None)
        view = self._new_view(params.get("view"))
        self._home_views[user_id] = view["id"]
        return {"ok": True, "view": dict(view)}

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Every known user, paged by ``limit`` (default 200) and ``cursor``."""
        try:
            limit = max(1, min(int(params.get("limit") or 200), 1000))
            start = int(params.get("cursor") or 0)
        except ValueError:
            raise _ApiError("invalid_cursor") from None
        ids = sorted(self.users)
        page = ids[start:start + limit]
        members = [self._users_info({"user": u, "include_locale": params.get("include_locale")})["user"] for u in page]
        nxt = str(start + limit) if start + limit < len(ids) else ""
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": nxt}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user")
        fields = self.users.get(user_id) if isinstance(user_id, str) else None
        if fields is None:
            raise _ApiError("user_not_found")
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
            "team_id": TEAM_ID,
            "name": name,
            "real_name": real_name,
            "deleted": bool(fields.get("deleted", False)),
            "tz": tz,
            "tz_label": fields.get("tz_label", tz),
            "tz_offset": int(tz_offset),
            "is_bot": bool(fields.get("is_bot", False)),
            "is_admin": bool(fields.get("is_admin", False)),
            "profile": profile,
        }
        if _truthy(params.get("include_locale")):
            user["locale"] = fields.get("locale", "en-US")
        return {"ok": True, "user": user}

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename:
            raise _ApiError("invalid_arguments")
        try:
            size = int(length)
        except (TypeError, ValueError):
            raise _ApiError("invalid_arguments") from None
        self._file_counter += 1
        file_id = f"F{self._file_counter:08d}"
        self._files[file_id] = {"id": file_id, "filename": filename, "length": size, "content": None,
                                "title": None, "channel": None, "initial_comment": None,
                                "thread_ts": None}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                files = None
        if not isinstance(files, list) or not files:
            raise _ApiError("invalid_arguments")
        channel = params.get("channel_id")
        if channel and (channel in self.not_in_channel or self._resolve_channel(channel) in self.not_in_channel):
            raise _ApiError("not_in_channel")
        out = []
        for f in files:
            stored = self._files.get(str(f.get("id")))
            if stored is None or stored["content"] is None:
                raise _ApiError("file_not_found")
            if len(stored["content"]) != stored["length"]:
                raise _ApiError("file_size_mismatch")
            stored.update(title=f.get("title") or stored["filename"],
                          channel=self._resolve_channel(channel) if channel else None,
                          initial_comment=params.get("initial_comment"), thread_ts=params.get("thread_ts"))
            out.append({"id": stored["id"], "name": stored["filename"], "title": stored["title"],
                        "size": stored["length"]})
        return {"ok": True, "files": out}

    def _receive_upload(self, file_id: str, data: bytes) -> bool:
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None:
                return False
            stored["content"] = data
            return True

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("users") or params.get("channel")
        if isinstance(raw, list):
            users = [str(u) for u in raw]
        elif isinstance(raw, str):
            users = [u.strip() for u in raw.split(",") if u.strip()]
        else:
            users = []
        if not users:
            raise _ApiError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = self._resolve_channel(users[0])
            channel = {"id": channel_id, "is_im": True, "user": users[0]}
        else:
            channel_id = "G" + "".join(u[1:] for u in sorted(users))[:20]
            channel = {"id": channel_id, "is_mpim": True}
        return {"ok": True, "channel": channel}


_METHODS: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": SlackStandIn._auth_test,
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
    "files.getUploadURLExternal": SlackStandIn._files_get_upload_url_external,
    "files.completeUploadExternal": SlackStandIn._files_complete_upload_external,
}


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    owner: SlackStandIn
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    # --

    def _read_params(self) -> tuple[dict[str, Any], str | None]:
        split = urlsplit(self.path)
        params: dict[str, Any] = _parse_form(split.query) if split.query else {}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        ctype = (self.headers.get("Content-Type") or "").lower()
        if body:
            if "application/json" in ctype:
                try:
                    data = json.loads(body.decode("utf-8"))
                except ValueError:
                    data = {}
                if isinstance(data, dict):
                    params.update(data)
            elif "multipart/form-data" in ctype:
                params.update(_parse_multipart(self.headers.get("Content-Type", ""), body))
            else:
                params.update(_parse_form(body.decode("utf-8", errors="replace")))
        if isinstance(params.get("payload"), str) and "/response/" in split.path:
            try:
                payload = json.loads(params.pop("payload"))
                if isinstance(payload, dict):
                    params.update(payload)
            except ValueError:
                pass
        token = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        form_token = params.pop("token", None)
        if token is None and isinstance(form_token, str):
            token = form_token
        return _decode_json_fields(params), token

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        owner = self.owner
        path = urlsplit(self.path).path
        if path.startswith("/upload/"):
            # The upload v2 URL takes the file's raw bytes, whatever the content type.
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length > 0 else b""
            file_id = path[len("/upload/"):].strip("/")
            ok = owner._receive_upload(file_id, data)
            owner._record(Call("file.upload", {"file_id": file_id, "bytes": len(data)}, None, 200 if ok else 404, ok,
                               {"ok": ok}))
            body = f"OK - {len(data)}".encode() if ok else b"not found"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        params, token = self._read_params()

        if path.startswith("/response/"):
            params["_url"] = path
            body = {"ok": True}
            owner._record(Call("response_url", params, token, 200, True, body))
            self._send_json(200, body)
            return

        if not path.startswith("/api/"):
            body = {"ok": False, "error": "invalid_path"}
            owner._record(Call(path, params, token, 404, False, body))
            self._send_json(404, body)
            return

        method = path[len("/api/") :].strip("/")
        fault = owner._fault(method, params)
        if fault is not None:
            kind, status, body, headers = fault
            owner._record(Call(method, params, token, status, False, body))
            if kind == "drop":
                self._drop()
            else:
                self._send_json(status, body, headers)
            return

        try:
            body = owner._dispatch(method, params)
        except _ApiError as e:
            body = {"ok": False, "error": e.error, **e.extra}
        except Exception as e:  # a bug in the stand-in or a custom handler: answer like Slack would
            body = {"ok": False, "error": "internal_error", "detail": f"{type(e).__name__}: {e}"}
            owner._record(Call(method, params, token, 500, False, body))
            self._send_json(500, body)
            return
        ok = bool(body.get("ok"))
        owner._record(Call(method, params, token, 200, ok, body))
        self._send_json(200, body)


def visible_text(payload: Any) -> str:
    """Every string a reader could see in a recorded payload (no ids or values)."""
    out: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in ("action_id", "block_id", "value", "callback_id", "private_metadata"):
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(payload)
    return "\n".join(out)
