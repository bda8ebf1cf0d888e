"""The Slack stand-in's "Add to Slack" side: workspaces an app can be installed in, the codes
Slack's authorize page would hand back, ``oauth.v2.access`` (a code for a bot token, and with
token rotation on a refresh token for a new one), and who each issued token belongs to, so that
``auth.test`` answers per token with that workspace's team, bot user and bot.

Mixed into :class:`bot.devtools.slack_standin.SlackStandIn`, which calls these under its lock.
Stdlib only; no test framework imports.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from bot.devtools.slack_standin_calls import ApiError

APP_ID = "A0OPSBOT"
# Seconds a rotating token lives (Slack's: 12 hours).
ROTATING_TOKEN_SECONDS = 43200


@dataclass(frozen=True)
class Workspace:
    team_id: str
    name: str
    enterprise: dict[str, str] | None = None  # {"id", "name"} on Enterprise Grid

    @property
    def bot_user_id(self) -> str:
        return f"U{self.team_id[1:]}BOT"

    @property
    def bot_id(self) -> str:
        return f"B{self.team_id[1:]}BOT"


class OAuthMethods:
    _lock: Any

    def _init_oauth(self) -> None:
        self.oauth_clients: dict[str, str] = {}  # client_id → client_secret
        self.workspaces: dict[str, Workspace] = {}
        # With rotation on, oauth.v2.access also gives a refresh token and an expiry.
        self.token_rotation = False
        self.token_seconds = ROTATING_TOKEN_SECONDS  # a rotating token's expires_in
        self.bot_scope = "chat:write,commands"
        self._codes: dict[str, tuple[str, str, bool]] = {}  # code → (team, installer, enterprise install)
        self._tokens: dict[str, str] = {}  # issued token → team
        self._refresh_tokens: dict[str, str] = {}  # live refresh token → team

    # -- set-up --------------------------------------------------------------------

    def register_app(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self.oauth_clients[client_id] = client_secret

    def add_workspace(self, team_id: str, name: str, *, enterprise: dict[str, str] | None = None) -> Workspace:
        with self._lock:
            ws = self.workspaces[team_id] = Workspace(team_id, name, enterprise)
            return ws

    def issue_code(self, team_id: str, installer: str, *, code: str | None = None,
                   enterprise_install: bool = False) -> str:
        """A code as Slack's authorize page hands it to the redirect URL (``code`` registers a given one)."""
        code = code or f"code-{secrets.token_hex(8)}"
        with self._lock:
            if team_id not in self.workspaces:
                raise KeyError(f"no workspace {team_id}: add_workspace first")
            self._codes[code] = (team_id, installer, enterprise_install)
        return code

    def register_token(self, team_id: str, token: str) -> None:
        """Know ``token`` as a bot token of ``team_id``, as if ``oauth.v2.access`` had issued it: for
        installations saved straight into the app's store (the many-workspaces benchmark, bench/)."""
        with self._lock:
            if team_id not in self.workspaces:
                raise KeyError(f"no workspace {team_id}: add_workspace first")
            self._tokens[token] = team_id

    def token_team(self, token: str | None) -> str | None:
        """The workspace a token was issued for by ``oauth.v2.access``, or None."""
        with self._lock:
            return self._tokens.get(token) if token else None

    # -- the method -------------------------------------------------------------------

    def _check_client(self, params: dict[str, Any]) -> None:
        client_id = params.get("client_id")
        if not isinstance(client_id, str) or client_id not in self.oauth_clients:
            raise ApiError("invalid_client_id")
        if params.get("client_secret") != self.oauth_clients[client_id]:
            raise ApiError("bad_client_secret")

    def _new_token(self, team_id: str) -> dict[str, Any]:
        prefix = "xoxe.xoxb-1-" if self.token_rotation else "xoxb-"
        token = f"{prefix}{team_id}-{secrets.token_hex(12)}"
        self._tokens[token] = team_id
        out: dict[str, Any] = {"access_token": token, "token_type": "bot", "scope": self.bot_scope}
        if self.token_rotation:
            refresh = f"xoxe-1-{secrets.token_hex(16)}"
            self._refresh_tokens[refresh] = team_id
            out.update(refresh_token=refresh, expires_in=self.token_seconds)
        return out

    def _oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_client(params)
        if params.get("grant_type") == "refresh_token":
            team_id = self._refresh_tokens.pop(str(params.get("refresh_token")), None)
            if team_id is None:
                raise ApiError("invalid_refresh_token")
            ws = self.workspaces[team_id]
            return {"ok": True, **self._new_token(team_id), "bot_user_id": ws.bot_user_id, "app_id": APP_ID,
                    "team": {"id": ws.team_id, "name": ws.name}, "enterprise": ws.enterprise,
                    "is_enterprise_install": False}
        found = self._codes.pop(str(params.get("code")), None)  # a code is good once
        if found is None:
            raise ApiError("invalid_code")
        team_id, installer, enterprise_install = found
        ws = self.workspaces[team_id]
        return {
            "ok": True,
            **self._new_token(team_id),
            "bot_user_id": ws.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": ws.team_id, "name": ws.name},
            "enterprise": ws.enterprise,
            "is_enterprise_install": enterprise_install,
            "authed_user": {"id": installer},
        }
