"""A whole opsbot on this machine: the real app served over HTTP on a free
port, its Web API pointed at the local Slack stand-in, and helpers that send
Slack-signed requests into it the way Slack does.

Used by the end-to-end tests and by ``opsbot demo``; it talks only to 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn
from cryptography.fernet import Fernet
from slack_sdk.signature import SignatureVerifier

from bot.app import Opsbot, create_app
from bot.devtools.slack_standin import Call, SlackStandIn
from bot.devtools.slack_standin_oauth import org_bot_user_id
from bot.kernel import notices
from bot.kernel.clock import ManualClock
from bot.kernel.settings import Settings
from bot.kernel.teams_file import TeamsFile, parse_teams
from bot.web import make_asgi
from storage import outbox as outbox_rows
from storage.db import transaction

# The app's credentials in "Add to Slack" mode (Rig(oauth=True)).
OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET = "1111.2222", "rig-client-secret"


@dataclass
class Reply:
    """What the person sees in answer to a request: the acknowledgement's
    body, or, for a request decided after its ack (``bot/kernel/inbox.py``), what
    came back through its response_url."""

    status: int
    body: str
    answer: dict[str, Any] | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else self.answer


class Rig:
    def __init__(
        self,
        *,
        database_url: str,
        teams: dict[str, Any] | TeamsFile | None,
        start: datetime,
        users: dict[str, dict[str, Any]] | None = None,
        api_url_slash: bool = False,
        oauth: bool = False,
        replica_of: Rig | None = None,
        admins: str | None = None,
    ) -> None:
        """``replica_of``: another process of that rig's deployment (``Rig.replica``)."""
        self.database_url = database_url
        # None: started with no teams file at all, as `opsbot serve` may be.
        self.teams = teams if isinstance(teams, TeamsFile) or teams is None else parse_teams(teams)
        self.api_url_slash = api_url_slash
        # "Add to Slack" mode: no bot token; the stand-in knows the app's client id and secret.
        self.oauth = oauth
        if replica_of is None:
            self.clock = ManualClock(start)
            self.slack = SlackStandIn(users=users or {})
            self.secret = secrets.token_hex(16)
            self.token_key = Fernet.generate_key().decode() if oauth else None
        else:  # one Slack, one clock, one app configuration: the stand-in is started and stopped by replica_of
            self.clock, self.slack = replica_of.clock, replica_of.slack
            self.secret, self.token_key = replica_of.secret, replica_of.token_key
        self._owns_slack = replica_of is None
        self.admins = admins  # OPSBOT_ADMINS: admins of the whole deployment
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app: Opsbot | None = None
        self._trigger = 0

    # -- lifecycle ---------------------------------------------------------

    def replica(self) -> Rig:
        """Another process of this deployment, serving HTTP on its own port: the same database,
        Slack stand-in, clock, signing secret and token key. Start it after this rig, stop it before."""
        return Rig(database_url=self.database_url, teams=self.teams, start=self.clock.now(),
                   api_url_slash=self.api_url_slash, oauth=self.oauth, replica_of=self, admins=self.admins)

    def start(self) -> Rig:
        if self._owns_slack:
            self.slack.start()
        api = self.slack.api_url if self.api_url_slash else self.slack.api_url.rstrip("/")
        if self.oauth:
            self.slack.register_app(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET)
            auth: dict[str, Any] = {"slack_client_id": OAUTH_CLIENT_ID, "slack_client_secret": OAUTH_CLIENT_SECRET,
                                    "opsbot_token_key": self.token_key}
        else:
            auth = {"slack_bot_token": "xoxb-rig-token"}
        settings = Settings(
            **auth,
            slack_signing_secret=self.secret,
            slack_api_url=api,
            database_url=self.database_url,
            opsbot_admins=self.admins or "",
        )
        self.app = create_app(settings, clock=self.clock, teams=self.teams, worker_poll=0.05)
        sock = socket.create_server(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(make_asgi(self.app), log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.01)
        return self

    def stop(self, *, slack: bool = True) -> None:
        """Stop the app; ``slack=False`` keeps the Slack stand-in answering
        (the response_urls a stopped process left behind stay reachable); a replica never stops
        the stand-in it shares."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self.app is not None:
            self.app.stop()
            self.app.engine.dispose()
        if slack and self._owns_slack:
            self.slack.stop()

    def __enter__(self) -> Rig:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- sending what Slack sends --------------------------------------------

    def sign(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}

    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None, signed: bool = True,
             timestamp: int | None = None) -> Reply:
        h = {"Content-Type": content_type}
        if signed:
            h.update(self.sign(body, timestamp))
        h.update(headers or {})
        req = urllib.request.Request(f"{self.url}/slack/events", data=body.encode(), headers=h, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                reply = Reply(r.status, r.read().decode())
        except urllib.error.HTTPError as e:
            reply = Reply(e.code, e.read().decode())
        self.decide()
        return reply

    def decide(self) -> int:
        """Decide what the request left in the inbox, as the inbox worker
        does right after the ack (its thread is not started here)."""
        assert self.app is not None
        return self.app.inbox_worker.drain()

    def _answered(self, reply: Reply, url: str) -> Reply:
        """Deliver the replies queued for ``url`` (only those: cards and DMs
        wait for ``deliver()``) and attach the last one to ``reply``."""
        assert self.app is not None
        with transaction(self.app.db) as s:
            due = [n.id for n in outbox_rows.notices(s, pending_only=True)
                   if n.kind == notices.RESPONSE and n.payload.get("url") == url]
        for notice_id in sorted(due):
            self.app.worker.deliver_one(notice_id)
        posted = self.slack.responses(url)
        if not reply.body and posted:
            reply.answer = {k: v for k, v in posted[-1].params.items() if not k.startswith("_")}
        return reply

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as r:
                return Reply(r.status, r.read().decode())
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.read().decode())

    def _org(self, team: str) -> tuple[dict[str, str], bool] | None:
        """Enterprise Grid: the org ``team`` belongs to in the stand-in, and whether the app is
        installed org-wide there (Slack marks such requests ``is_enterprise_install``); None
        outside an org, where payloads carry no enterprise at all."""
        ws = self.slack.workspaces.get(team)
        if ws is None or ws.enterprise is None:
            return None
        return dict(ws.enterprise), self.slack.org_wide(ws.enterprise["id"])

    def _team_fields(self, team: str) -> dict[str, Any]:
        """An interaction's ``team`` (with ``enterprise_id`` on Grid), ``enterprise`` and
        ``is_enterprise_install``, as Slack sends them."""
        org = self._org(team)
        if org is None:
            return {"team": {"id": team, "domain": "demo"}}
        enterprise, org_wide = org
        return {"team": {"id": team, "domain": "demo", "enterprise_id": enterprise["id"],
                         "enterprise_name": enterprise["name"]},
                "enterprise": enterprise, "is_enterprise_install": org_wide}

    def _trigger_id(self) -> str:
        self._trigger += 1
        return f"{self._trigger}.{secrets.token_hex(4)}"

    def command(self, user: str, command: str, text: str = "", *, channel: str = "C0OTHER",
                team: str = "T0TEAM") -> Reply:
        self.last_response_url = self.slack.new_response_url()
        body = urllib.parse.urlencode({
            "token": "legacy", "team_id": team, "team_domain": "demo", "channel_id": channel,
            "channel_name": "demo", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A0OPSBOT", "response_url": self.last_response_url,
            "trigger_id": self._trigger_id(), **self._command_org(team),
        })
        return self._answered(self.post(body, "application/x-www-form-urlencoded"), self.last_response_url)

    def _command_org(self, team: str) -> dict[str, str]:
        org = self._org(team)
        if org is None:
            return {}
        enterprise, org_wide = org
        return {"enterprise_id": enterprise["id"], "enterprise_name": enterprise["name"],
                "is_enterprise_install": "true" if org_wide else "false"}

    def _interaction(self, payload: dict[str, Any]) -> Reply:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def click(self, user: str, action_id: str, value: str, *, message: Call | None = None,
              channel: str | None = None, home: bool = False, team: str = "T0TEAM") -> Reply:
        """Press a button. ``message`` is the recorded post the button is on;
        ``home``: the button is on the person's App Home, so Slack sends the
        view instead of a channel, a message or a response_url. ``team``: the
        workspace the click comes from."""
        if home:
            return self._interaction({
                "type": "block_actions",
                "user": {"id": user, "username": user.lower(), "team_id": team},
                "api_app_id": "A0OPSBOT",
                **self._team_fields(team),
                "container": {"type": "view", "view_id": "V0HOME"},
                "trigger_id": self._trigger_id(),
                "view": {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}},
                "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                             "action_ts": f"{time.time():.6f}"}],
            })
        container: dict[str, Any] = {"type": "message"}
        msg: dict[str, Any] = {}
        if message is not None:
            channel = message.response.get("channel") or message.params.get("channel")
            container.update({"message_ts": message.response.get("ts"), "channel_id": channel})
            msg = {"ts": message.response.get("ts"), "text": message.params.get("text"),
                   "blocks": message.params.get("blocks")}
        self.last_response_url = self.slack.new_response_url()
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0OPSBOT",
            **self._team_fields(team),
            "container": container,
            "trigger_id": self._trigger_id(),
            "channel": {"id": channel, "name": "demo"} if channel else None,
            "message": msg or None,
            "response_url": self.last_response_url,
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": f"{time.time():.6f}"}],
        }
        return self._answered(self._interaction({k: v for k, v in payload.items() if v is not None}),
                              self.last_response_url)

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any], *, team: str = "T0TEAM") -> Reply:
        """Submit a modal as opened (``views.open``), with ``values`` keyed by
        block id: a string for text inputs and selects, an ISO date for dates,
        an aware datetime (or epoch seconds) for date-and-time pickers, a
        number or string for number inputs, a list of user ids for user
        selects, a channel id for a channel select, a list of the ticked values for checkboxes. A field left out keeps what the modal filled in."""
        state: dict[str, Any] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            el = block["element"]
            raw = values.get(block["block_id"])
            if el["type"] == "plain_text_input":
                entry = {"type": "plain_text_input", "value": raw if raw is not None else el.get("initial_value")}
            elif el["type"] == "static_select":
                if raw is None and el.get("initial_option"):
                    opt = el["initial_option"]
                else:
                    opt = next((o for o in el["options"] if o["value"] == raw), None) if raw is not None else None
                    if raw is not None and opt is None:
                        opt = {"text": {"type": "plain_text", "text": raw}, "value": raw}
                entry = {"type": "static_select", "selected_option": opt}
            elif el["type"] == "datepicker":
                entry = {"type": "datepicker", "selected_date": raw if raw is not None else el.get("initial_date")}
            elif el["type"] == "checkboxes":  # a list of the ticked options' values
                ticked = [o for o in el["options"] if o["value"] in (raw or [])]
                entry = {"type": "checkboxes", "selected_options": ticked}
            elif el["type"] == "datetimepicker":
                # An aware datetime or epoch seconds; Slack sends epoch seconds.
                if isinstance(raw, datetime):
                    raw = int(raw.timestamp())
                entry = {"type": "datetimepicker",
                         "selected_date_time": raw if raw is not None else el.get("initial_date_time")}
            elif el["type"] == "number_input":
                entry = {"type": "number_input", "value": str(raw) if raw is not None else el.get("initial_value")}
            elif el["type"] == "conversations_select":  # a channel id
                entry = {"type": "conversations_select",
                         "selected_conversation": raw if raw is not None else el.get("initial_conversation")}
            elif el["type"] == "multi_users_select":
                entry = {"type": "multi_users_select",
                         "selected_users": list(raw) if raw is not None else el.get("initial_users", [])}
            else:
                raise ValueError(f"the rig cannot fill a {el['type']}")
            state[block["block_id"]] = {el["action_id"]: entry}
        payload = {
            "type": "view_submission",
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0OPSBOT",
            **self._team_fields(team),
            "trigger_id": self._trigger_id(),
            "view": {**view, "id": view.get("id", "V0"), "state": {"values": state}},
        }
        return self._interaction(payload)

    def event(self, event: dict[str, Any], *, event_id: str, retry_num: int | None = None,
              team: str = "T0TEAM") -> Reply:
        body = json.dumps({
            "token": "legacy", "team_id": team, "api_app_id": "A0OPSBOT", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event, **self._event_org(team),
        })
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return self.post(body, "application/json", headers=headers)

    def _event_org(self, team: str) -> dict[str, Any]:
        """On Grid: the org and the workspace the event happened in (``context_*``), and the
        installation it is for: with an org-wide install ``authorizations[0].team_id`` is null."""
        org = self._org(team)
        if org is None:
            return {}
        enterprise, org_wide = org
        ws = self.slack.workspaces[team]
        bot = org_bot_user_id(enterprise["id"]) if org_wide else ws.bot_user_id
        return {"enterprise_id": enterprise["id"], "context_team_id": team,
                "context_enterprise_id": enterprise["id"], "is_ext_shared_channel": False,
                "authorizations": [{"enterprise_id": enterprise["id"], "team_id": None if org_wide else team,
                                    "user_id": bot, "is_bot": True, "is_enterprise_install": org_wide}]}

    # -- looking at what people see --------------------------------------------

    def deliver(self) -> int:
        """Deliver everything the outbox has due now, as the worker would."""
        assert self.app is not None
        return self.app.worker.drain()

    def opened_views(self) -> list[dict[str, Any]]:
        return [c.response["view"] for c in self.slack.calls("views.open")]

    def last_view(self) -> dict[str, Any]:
        views = self.opened_views()
        assert views, "no modal was opened"
        return views[-1]
