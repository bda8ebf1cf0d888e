"""The Slack stand-in's "Add to Slack" side: workspaces an app can be installed in, the codes
Slack's authorize page would hand back, ``oauth.v2.access`` (a code for a bot token, and with
token rotation on a refresh token for a new one), and who each issued token belongs to, so that
``auth.test`` answers per token with that workspace's team, bot user and bot.

Enterprise Grid: a workspace added with ``enterprise={"id", "name"}`` belongs to that org, and
``issue_code(..., enterprise_install=True)`` is an org-wide install, answered as Slack answers
one: ``team: null``, ``is_enterprise_install: true``, ``enterprise`` set, and a token of the org
(not of one workspace) that works in every workspace of it.

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


def org_bot_user_id(enterprise_id: str) -> str:
    """The bot user of an org-wide install: an org-level user (Grid's start with W)."""
    return f"W{enterprise_id[1:]}BOT"


def org_bot_id(enterprise_id: str) -> str:
    return f"B{enterprise_id[1:]}BOT"


class OAuthMethods:
    _lock: Any

    def _init_oauth(self) -> None:
        self.oauth_clients: dict[str, str] = {}  # client_id → client_secret
        self.workspaces: dict[str, Workspace] = {}
        # With rotation on, oauth.v2.access also gives a refresh token and an expiry.
        self.token_rotation = False
        self.token_seconds = ROTATING_TOKEN_SECONDS  # a rotating token's expires_in
        self.bot_scope = "chat:write,commands"
        # code → (owner, installer): the owner is a team id, or an enterprise id for an org-wide install
        self._codes: dict[str, tuple[str, str]] = {}
        self._tokens: dict[str, str] = {}  # issued token → its owner (team id, or enterprise id)
        self._refresh_tokens: dict[str, str] = {}  # live refresh token → its owner
        self.revoked_tokens: set[str] = set()  # answered invalid_auth, as Slack answers a token gone

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
        """A code as Slack's authorize page hands it to the redirect URL (``code`` registers a given one).
        ``enterprise_install``: an org admin installs the app org-wide; ``team_id`` is then the
        org's enterprise id or any workspace of the org."""
        code = code or f"code-{secrets.token_hex(8)}"
        with self._lock:
            if enterprise_install:
                owner = self._enterprise_of(team_id)
                if owner is None:
                    raise KeyError(f"{team_id} is no Enterprise Grid org nor a workspace of one")
            elif team_id in self.workspaces:
                owner = team_id
            else:
                raise KeyError(f"no workspace {team_id}: add_workspace first")
            self._codes[code] = (owner, installer)
        return code

    def register_token(self, team_id: str, token: str) -> None:
        """Know ``token`` as a bot token of ``team_id``, as if ``oauth.v2.access`` had issued it: for
        installations saved straight into the app's store (the many-workspaces benchmark, bench/)."""
        with self._lock:
            if team_id not in self.workspaces:
                raise KeyError(f"no workspace {team_id}: add_workspace first")
            self._tokens[token] = team_id

    def revoke_token(self, token: str) -> None:
        """From now on a call with ``token`` is answered ``invalid_auth`` (a token revoked, or one a
        reinstall replaced), auth.test included."""
        with self._lock:
            self.revoked_tokens.add(token)

    def token_team(self, token: str | None) -> str | None:
        """Who a token was issued for by ``oauth.v2.access``: the workspace's team id, or the org's
        enterprise id for an org-wide install; None for a token it did not issue."""
        with self._lock:
            return self._tokens.get(token) if token else None

    def token_serves(self, token: str | None, team_id: str) -> bool:
        """Whether ``token`` works in workspace ``team_id``: issued for it, or for its org org-wide."""
        owner = self.token_team(token)
        if owner is None:
            return False
        ws = self.workspaces.get(team_id)
        return owner == team_id or (ws is not None and ws.enterprise is not None and owner == ws.enterprise["id"])

    def org_workspaces(self, enterprise_id: str) -> list[Workspace]:
        """The workspaces of an Enterprise Grid org, in the order they were added."""
        with self._lock:
            return [ws for ws in self.workspaces.values() if ws.enterprise and ws.enterprise["id"] == enterprise_id]

    def _enterprise_of(self, team_or_enterprise: str) -> str | None:
        if team_or_enterprise in self.workspaces:
            org = self.workspaces[team_or_enterprise].enterprise
            return org["id"] if org else None
        known = any(ws.enterprise and ws.enterprise["id"] == team_or_enterprise for ws in self.workspaces.values())
        return team_or_enterprise if known else None

    def _org(self, enterprise_id: str) -> dict[str, str]:
        return next(dict(ws.enterprise) for ws in self.workspaces.values()
                    if ws.enterprise and ws.enterprise["id"] == enterprise_id)

    def org_wide(self, enterprise_id: str | None) -> bool:
        """Whether a live token was issued org-wide for ``enterprise_id`` (the app is installed in the org)."""
        with self._lock:
            return enterprise_id is not None and enterprise_id in self._tokens.values()

    # -- the method -------------------------------------------------------------------

    def _check_client(self, params: dict[str, Any]) -> None:
        client_id = params.get("client_id")
        if not isinstance(client_id, str) or client_id not in self.oauth_clients:
            raise ApiError("invalid_client_id")
        if params.get("client_secret") != self.oauth_clients[client_id]:
            raise ApiError("bad_client_secret")

    def _new_token(self, owner: str) -> dict[str, Any]:
        prefix = "xoxe.xoxb-1-" if self.token_rotation else "xoxb-"
        token = f"{prefix}{owner}-{secrets.token_hex(12)}"
        self._tokens[token] = owner
        out: dict[str, Any] = {"access_token": token, "token_type": "bot", "scope": self.bot_scope}
        if self.token_rotation:
            refresh = f"xoxe-1-{secrets.token_hex(16)}"
            self._refresh_tokens[refresh] = owner
            out.update(refresh_token=refresh, expires_in=self.token_seconds)
        return out

    def _installed(self, owner: str) -> dict[str, Any]:
        """What oauth.v2.access says about an install besides the token: the workspace's, or for an
        org-wide install (``owner`` an enterprise id) ``team: null`` and the org."""
        if owner in self.workspaces:
            ws = self.workspaces[owner]
            return {"bot_user_id": ws.bot_user_id, "app_id": APP_ID, "team": {"id": ws.team_id, "name": ws.name},
                    "enterprise": ws.enterprise, "is_enterprise_install": False}
        return {"bot_user_id": org_bot_user_id(owner), "app_id": APP_ID, "team": None,
                "enterprise": self._org(owner), "is_enterprise_install": True}

    def _oauth_v2_access(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_client(params)
        if params.get("grant_type") == "refresh_token":
            owner = self._refresh_tokens.pop(str(params.get("refresh_token")), None)
            if owner is None:
                raise ApiError("invalid_refresh_token")
            return {"ok": True, **self._new_token(owner), **self._installed(owner)}
        found = self._codes.pop(str(params.get("code")), None)  # a code is good once
        if found is None:
            raise ApiError("invalid_code")
        owner, installer = found
        return {"ok": True, **self._new_token(owner), **self._installed(owner), "authed_user": {"id": installer}}
