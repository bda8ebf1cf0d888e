"""The Web API methods the Slack stand-in answers, one mixin per family:
``auth.*``, ``chat.*``, ``views.*``, ``files.*`` (the upload v2 flow) and
``conversations.*``.

Each method takes the call's params and returns Slack's response body, or
raises :class:`ApiError` for a Slack-style error. They are mixed into
:class:`bot.devtools.slack_standin.SlackStandIn`, which sets up their state in
its ``__init__``, maps method names to them and calls them under its lock.
(``users.*`` lives there: its ``tz_offset`` reads the clock.)

Stdlib only; no test framework imports.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

from bot.devtools.slack_standin_calls import BOT_ID, BOT_USER_ID, TEAM_ID, ApiError, resolve_channel
from bot.devtools.slack_standin_oauth import org_bot_id, org_bot_user_id


class AuthMethods:
    workspaces: dict[str, Any]

    def token_team(self, token: str | None) -> str | None: ...

    def org_workspaces(self, enterprise_id: str) -> list[Any]: ...

    def _org(self, enterprise_id: str) -> dict[str, str]: ...

    def _auth_test(self, params: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """A token ``oauth.v2.access`` issued: its workspace's ids, or for an org-wide token the
        org's (in a workspace of the org when the call names one with ``team_id``); any other:
        the stand-in's own."""
        team = self.token_team(token)
        if team is not None and team in self.workspaces:
            ws = self.workspaces[team]
            return {"ok": True, "url": f"https://{team.lower()}.slack.test/", "team": ws.name, "user": "opsbot",
                    "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": ws.bot_id,
                    "enterprise_id": (ws.enterprise or {}).get("id"), "is_enterprise_install": False}
        if team is not None:  # an org-wide install's token: Slack answers with the org itself
            org = self._org(team)
            ws = next((w for w in self.org_workspaces(team) if w.team_id == params.get("team_id")), None)
            return {"ok": True, "url": f"https://{team.lower()}.enterprise.slack.test/",
                    "team": ws.name if ws else org["name"], "user": "opsbot",
                    "team_id": ws.team_id if ws else team, "user_id": org_bot_user_id(team),
                    "bot_id": org_bot_id(team), "enterprise_id": team, "is_enterprise_install": True}
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


class ChatMethods:
    not_in_channel: set[str]
    _messages: dict[tuple[str, str], dict[str, Any]]
    _ts_counter: int

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = 1_700_000_000_000_000 + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _check_channel(self, params: dict[str, Any]) -> str:
        channel = params.get("channel")
        if not channel or not isinstance(channel, str):
            raise ApiError("channel_not_found")
        if channel in self.not_in_channel or resolve_channel(channel) in self.not_in_channel:
            raise ApiError("not_in_channel")
        return resolve_channel(channel)

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._check_channel(params)
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise ApiError("no_text")
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
            raise ApiError("message_not_found")
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
            raise ApiError("message_not_found")
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_channel(params)
        if not params.get("user"):
            raise ApiError("user_not_in_channel")
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            raise ApiError("no_text")
        return {"ok": True, "message_ts": self._next_ts()}


class ViewMethods:
    _views: dict[str, dict[str, Any]]
    _home_views: dict[str, str]
    _view_counter: int

    def _new_view(self, view: Any, **extra: Any) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise ApiError("invalid_arguments")
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
            raise ApiError("invalid_arguments")
        view = self._new_view(params.get("view"))
        return {"ok": True, "view": dict(view)}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            raise ApiError("invalid_arguments")
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views.get(view_id)
        elif external_id:
            current = next((v for v in self._views.values() if v.get("external_id") == external_id), None)
        else:
            raise ApiError("invalid_arguments")
        if current is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        keep = {k: current[k] for k in ("id", "team_id", "app_id", "bot_id", "root_view_id") if k in current}
        self._view_counter += 1
        current.clear()
        current.update({"state": {"values": {}}, **view, **keep})
        current["hash"] = f"h{self._view_counter}.{secrets.token_hex(4)}"
        return {"ok": True, "view": dict(current)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise ApiError("invalid_arguments")
        old_id = self._home_views.get(user_id)
        if old_id and params.get("hash") and params["hash"] != self._views[old_id]["hash"]:
            raise ApiError("hash_conflict")
        if old_id:
            self._views.pop(old_id, None)
        view = self._new_view(params.get("view"))
        self._home_views[user_id] = view["id"]
        return {"ok": True, "view": dict(view)}


class FileMethods:
    """The upload v2 flow: files.getUploadURLExternal → POST /upload/<id> → files.completeUploadExternal."""

    _lock: threading.RLock
    not_in_channel: set[str]
    _files: dict[str, dict[str, Any]]
    _file_counter: int
    base_url: str

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename:
            raise ApiError("invalid_arguments")
        try:
            size = int(length)
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments") from None
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
            raise ApiError("invalid_arguments")
        channel = params.get("channel_id")
        if channel and (channel in self.not_in_channel or resolve_channel(channel) in self.not_in_channel):
            raise ApiError("not_in_channel")
        out = []
        for f in files:
            stored = self._files.get(str(f.get("id")))
            if stored is None or stored["content"] is None:
                raise ApiError("file_not_found")
            if len(stored["content"]) != stored["length"]:
                raise ApiError("file_size_mismatch")
            stored.update(title=f.get("title") or stored["filename"],
                          channel=resolve_channel(channel) if channel else None,
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


class ConversationMethods:
    not_in_channel: set[str]
    private_channels: set[str]

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """What ``/opsbot setup`` asks of a channel. A private channel the bot
        is not in is invisible to it: Slack answers channel_not_found."""
        channel = params.get("channel")
        if not isinstance(channel, str) or not channel.startswith(("C", "G")):
            raise ApiError("channel_not_found")
        private = channel in self.private_channels
        member = channel not in self.not_in_channel
        if private and not member:
            raise ApiError("channel_not_found")
        return {"ok": True, "channel": {"id": channel, "is_channel": True, "is_private": private,
                                        "is_member": member, "is_archived": False}}

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not isinstance(channel, str) or not channel.startswith(("C", "G")):
            raise ApiError("channel_not_found")
        if channel in self.private_channels:
            raise ApiError("method_not_supported_for_channel_type")
        self.not_in_channel.discard(channel)
        return {"ok": True, "channel": {"id": channel, "is_channel": True, "is_member": True}}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("users") or params.get("channel")
        if isinstance(raw, list):
            users = [str(u) for u in raw]
        elif isinstance(raw, str):
            users = [u.strip() for u in raw.split(",") if u.strip()]
        else:
            users = []
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) == 1:
            channel_id = resolve_channel(users[0])
            channel = {"id": channel_id, "is_im": True, "user": users[0]}
        else:
            channel_id = "G" + "".join(u[1:] for u in sorted(users))[:20]
            channel = {"id": channel_id, "is_mpim": True}
        return {"ok": True, "channel": channel}
