"""Add to Slack, end to end on both backends: the install page, Slack's redirect with a code, the
installation stored encrypted, the installer an admin, replayed and unknown states refused, and
then requests from that workspace answered with its own token, from another not at all
(issue 19)."""

from __future__ import annotations

import html
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, update

from bot.devtools.rig import OAUTH_CLIENT_ID, Rig
from handlers.oauth import bot_scopes
from storage.db import transaction
from storage.installations import BOTS, INSTALLATIONS, OAUTH_STATES, Sealer
from storage.models import Admin, AuditEntry, Team
from tests.conftest import ALICE, make_rig

ACME, OTHER = "T0ACME", "T0OTHER"
BOSS = "U0ACMEBOSS"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a browser would go on to Slack; the test looks instead
        return None


def browse(rig: Rig, path: str, cookie: str | None = None) -> tuple[int, Message, str]:
    """A GET as the installer's browser makes it: (status, headers, body), redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(rig.url + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def start_install(rig: Rig) -> tuple[dict[str, list[str]], str]:
    """Open /slack/install: the authorize URL's query, and the state cookie the browser keeps."""
    status, headers, body = browse(rig, "/slack/install")
    assert status in (200, 302)
    url = headers["Location"] if status == 302 else html.unescape(
        re.search(r'href="([^"]+/oauth/v2/authorize\?[^"]+)"', body).group(1))
    assert url.startswith(f"{rig.slack.base_url}/oauth/v2/authorize?")  # SLACK_API_URL's host, not slack.com
    return parse_qs(urlsplit(url).query), headers["Set-Cookie"].split(";")[0]


def redirect(rig: Rig, state: str, cookie: str, code: str) -> tuple[int, str]:
    status, _headers, body = browse(rig, "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}),
                                    cookie)
    return status, body


def install(rig: Rig, team: str = ACME, installer: str = BOSS) -> str:
    """Install the app in ``team``; the bot token Slack issued for it."""
    query, cookie = start_install(rig)
    status, body = redirect(rig, query["state"][0], cookie, rig.slack.issue_code(team, installer))
    assert status == 200, body
    return rig.slack.calls("oauth.v2.access")[-1].response["access_token"]


def rows(rig: Rig, table) -> list[dict]:
    with rig.app.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


@pytest.fixture
def oauth_rig(database_url: str) -> Iterator[Rig]:
    rig = make_rig(database_url, oauth=True).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    with transaction(rig.app.db) as s:  # the rig's team, as if set up in Acme: requests act in their workspace
        s.execute(update(Team).values(workspace=ACME))
    try:
        yield rig
    finally:
        rig.stop()


def test_the_install_page_sends_the_browser_to_slack_with_the_client_id_the_scopes_and_a_state(oauth_rig):
    query, cookie = start_install(oauth_rig)
    assert query["client_id"] == [OAUTH_CLIENT_ID]
    assert sorted(query["scope"][0].split(",")) == bot_scopes()
    state = query["state"][0]
    assert cookie.endswith("=" + state)  # the browser that started is the one that may finish
    assert [r["state"] for r in rows(oauth_rig, OAUTH_STATES)] == [state]


def test_an_install_stores_the_workspace_with_its_tokens_encrypted_and_makes_the_installer_an_admin(oauth_rig):
    token = install(oauth_rig)
    assert token.startswith("xoxb-")
    (installation,) = rows(oauth_rig, INSTALLATIONS)
    (bot,) = rows(oauth_rig, BOTS)
    assert installation["team_id"] == bot["team_id"] == ACME and installation["user_id"] == BOSS
    for row in (installation, bot):
        assert row["bot_token"] and token not in str(row) and "xoxb" not in row["bot_token"]
    found = oauth_rig.app.bolt.oauth_flow.settings.installation_store.find_bot(enterprise_id=None, team_id=ACME)
    assert found.bot_token == token and found.bot_user_id == "U0ACMEBOT"
    assert rows(oauth_rig, OAUTH_STATES) == []  # consumed
    with transaction(oauth_rig.app.db) as s:
        [admin] = s.scalars(select(Admin).where(Admin.user_id == BOSS)).all()
        assert (admin.source, admin.workspace) == ("install", ACME)  # an admin of Acme, not of the deployment
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == BOSS)) == 1


def test_a_replayed_an_unknown_or_an_expired_state_is_refused_and_stores_nothing(oauth_rig):
    query, cookie = start_install(oauth_rig)
    state = query["state"][0]
    assert redirect(oauth_rig, state, cookie, oauth_rig.slack.issue_code(ACME, BOSS))[0] == 200
    exchanges = len(oauth_rig.slack.calls("oauth.v2.access"))

    replayed = redirect(oauth_rig, state, cookie, oauth_rig.slack.issue_code(OTHER, "U0MALLORY"))
    unknown = redirect(oauth_rig, "not-a-state", "slack-app-oauth-state=not-a-state",
                       oauth_rig.slack.issue_code(OTHER, "U0MALLORY"))
    query, cookie = start_install(oauth_rig)
    oauth_rig.clock.advance(timedelta(seconds=601))
    expired = redirect(oauth_rig, query["state"][0], cookie, oauth_rig.slack.issue_code(OTHER, "U0MALLORY"))

    for status, _body in (replayed, unknown, expired):
        assert status == 401
    assert len(oauth_rig.slack.calls("oauth.v2.access")) == exchanges  # no code was even exchanged
    assert [r["team_id"] for r in rows(oauth_rig, INSTALLATIONS)] == [ACME]
    with transaction(oauth_rig.app.db) as s:
        assert s.scalars(select(Admin).where(Admin.user_id == "U0MALLORY")).all() == []


def test_a_state_from_another_browser_is_refused(oauth_rig):
    query, _cookie = start_install(oauth_rig)
    status, _body = redirect(oauth_rig, query["state"][0], "slack-app-oauth-state=someone-else",
                             oauth_rig.slack.issue_code(ACME, BOSS))
    assert status == 400
    assert rows(oauth_rig, INSTALLATIONS) == []


def test_requests_from_the_workspace_are_answered_with_its_token_and_auth_test_is_asked_once(oauth_rig):
    token = install(oauth_rig)
    asked = len(oauth_rig.slack.calls("auth.test"))  # the install's own, for the bot id
    for _ in range(4):
        assert oauth_rig.command(ALICE, "/topic", team=ACME).status == 200
    opened = oauth_rig.slack.calls("views.open")
    assert [c.token for c in opened] == [token] * 4
    assert len(oauth_rig.slack.calls("auth.test")) == asked + 1  # cached after the first request


def test_a_workspace_with_no_installation_is_not_answered_with_another_workspaces_token(oauth_rig):
    install(oauth_rig)
    oauth_rig.slack.clear()
    reply = oauth_rig.command(ALICE, "/topic", team=OTHER)
    assert reply.status == 200
    assert oauth_rig.slack.calls("views.open") == []
    assert [c for c in oauth_rig.slack.all_calls() if c.token and c.token != "legacy"] == []


def test_a_rotating_token_is_refreshed_before_it_expires_and_kept_encrypted(oauth_rig):
    oauth_rig.slack.token_rotation = True
    oauth_rig.slack.token_seconds = 60  # inside Bolt's two hours of warning: refreshed at the next request
    first = install(oauth_rig)
    assert first.startswith("xoxe.xoxb-")
    assert oauth_rig.command(ALICE, "/topic", team=ACME).status == 200
    refresh = [c for c in oauth_rig.slack.calls("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]
    assert len(refresh) == 1
    fresh = refresh[0].response["access_token"]
    assert [c.token for c in oauth_rig.slack.calls("views.open")] == [fresh]
    for row in rows(oauth_rig, BOTS):
        assert first not in str(row) and fresh not in str(row) and "xoxe" not in str(row)


def test_the_daily_retention_run_purges_expired_states_and_keeps_fresh_ones(oauth_rig):
    store = oauth_rig.app.bolt.oauth_flow.settings.state_store
    old = store.issue()
    oauth_rig.clock.advance(timedelta(seconds=300))
    fresh = store.issue()
    oauth_rig.app.scheduler.retention.run(oauth_rig.clock.now() + timedelta(seconds=301))
    assert [r["state"] for r in rows(oauth_rig, OAUTH_STATES)] == [fresh]
    assert old != fresh


def test_a_changed_token_key_sends_nothing_and_the_log_says_why(oauth_rig, caplog):
    install(oauth_rig)
    oauth_rig.app.bolt.oauth_flow.settings.installation_store.sealer = Sealer(Fernet.generate_key().decode())
    oauth_rig.slack.clear()
    with caplog.at_level(logging.WARNING):
        oauth_rig.command(ALICE, "/topic", team=ACME)
    assert oauth_rig.slack.calls("views.open") == []
    assert "OPSBOT_TOKEN_KEY does not open a stored Slack token" in caplog.text


def test_single_workspace_mode_serves_no_install_pages(sqlite_url):
    rig = make_rig(sqlite_url).start()
    try:
        assert browse(rig, "/slack/install")[0] == 404
        assert browse(rig, "/slack/oauth_redirect?code=c&state=s")[0] == 404
        assert rig.app.bolt.oauth_flow is None
    finally:
        rig.stop()
