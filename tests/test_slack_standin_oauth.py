"""The Slack stand-in's "Add to Slack" side answers the real slack_sdk WebClient like Slack does:
``oauth.v2.access`` for a code it issued (once) and, with rotation on, for a refresh token; and
``auth.test`` per issued token, with that workspace's ids (issue 19)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.slack_standin import SlackStandIn

CLIENT_ID, SECRET = "1111.2222", "s3cret"


@pytest.fixture
def slack():
    with SlackStandIn() as s:
        s.register_app(CLIENT_ID, SECRET)
        s.add_workspace("T0ACME", "Acme")
        s.add_workspace("T0GRID", "Grid Team", enterprise={"id": "E0GRID", "name": "Grid"})
        s.add_workspace("T0GRID2", "Grid Two", enterprise={"id": "E0GRID", "name": "Grid"})
        yield s


@pytest.fixture
def client(slack):
    return WebClient(base_url=slack.api_url, retry_handlers=[])


def test_a_code_it_issued_is_exchanged_once_for_a_bot_token_of_that_workspace(slack, client):
    code = slack.issue_code("T0ACME", "U0BOSS")
    r = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=code)
    assert r["token_type"] == "bot" and r["access_token"].startswith("xoxb-")
    assert (r["team"], r["enterprise"], r["is_enterprise_install"]) == ({"id": "T0ACME", "name": "Acme"}, None, False)
    assert (r["bot_user_id"], r["app_id"], r["authed_user"]) == ("U0ACMEBOT", "A0OPSBOT", {"id": "U0BOSS"})
    assert r["scope"] and "refresh_token" not in r.data
    with pytest.raises(SlackApiError) as again:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=code)
    assert again.value.response["error"] == "invalid_code"


def test_a_registered_code_and_an_enterprise_workspace(slack, client):
    slack.issue_code("T0GRID", "U0GRIDBOSS", code="fixed-code")
    r = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code="fixed-code")
    assert r["enterprise"] == {"id": "E0GRID", "name": "Grid"} and r["team"]["id"] == "T0GRID"


@pytest.mark.parametrize(("client_id", "secret", "error"), [
    ("9999.9999", SECRET, "invalid_client_id"),
    (CLIENT_ID, "wrong", "bad_client_secret"),
])
def test_the_apps_client_id_and_secret_are_checked(slack, client, client_id, secret, error):
    code = slack.issue_code("T0ACME", "U0BOSS")
    with pytest.raises(SlackApiError) as e:
        client.oauth_v2_access(client_id=client_id, client_secret=secret, code=code)
    assert e.value.response["error"] == error


def test_an_unknown_code_is_refused(client):
    with pytest.raises(SlackApiError) as e:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code="never-issued")
    assert e.value.response["error"] == "invalid_code"


def test_auth_test_answers_per_token_with_its_workspaces_ids(slack, client):
    acme = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET,
                                  code=slack.issue_code("T0ACME", "U0BOSS"))["access_token"]
    grid = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET,
                                  code=slack.issue_code("T0GRID", "U0GRIDBOSS"))["access_token"]
    a, g = client.auth_test(token=acme), client.auth_test(token=grid)
    assert (a["team_id"], a["user_id"], a["bot_id"]) == ("T0ACME", "U0ACMEBOT", "B0ACMEBOT")
    assert (g["team_id"], g["enterprise_id"]) == ("T0GRID", "E0GRID")
    other = client.auth_test(token="xoxb-anything-else")  # the stand-in's own workspace, as before
    assert other["team_id"] == "T0TEAM"
    assert [c.token for c in slack.calls("auth.test")] == [acme, grid, "xoxb-anything-else"]


def test_with_token_rotation_a_refresh_token_gets_a_new_token_once(slack, client):
    slack.token_rotation = True
    r = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=slack.issue_code("T0ACME", "U0BOSS"))
    assert r["access_token"].startswith("xoxe.xoxb-") and r["refresh_token"].startswith("xoxe-1-")
    assert r["expires_in"] == 43200
    new = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, grant_type="refresh_token",
                                 refresh_token=r["refresh_token"])
    assert new["access_token"] != r["access_token"] and new["refresh_token"] != r["refresh_token"]
    assert client.auth_test(token=new["access_token"])["team_id"] == "T0ACME"
    with pytest.raises(SlackApiError) as e:
        client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, grant_type="refresh_token",
                               refresh_token=r["refresh_token"])
    assert e.value.response["error"] == "invalid_refresh_token"


def test_an_org_wide_install_is_answered_with_no_team_and_the_org_and_its_token_serves_every_workspace_of_it(
        slack, client):
    code = slack.issue_code("E0GRID", "W0ORGADMIN", enterprise_install=True)
    r = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, code=code)
    assert (r["team"], r["is_enterprise_install"], r["enterprise"]) == (None, True, {"id": "E0GRID", "name": "Grid"})
    assert (r["bot_user_id"], r["authed_user"]) == ("W0GRIDBOT", {"id": "W0ORGADMIN"})
    token = r["access_token"]
    assert slack.token_team(token) == "E0GRID" and slack.org_wide("E0GRID") and not slack.org_wide("E0OTHER")
    assert [slack.token_serves(token, t) for t in ("T0GRID", "T0GRID2", "T0ACME")] == [True, True, False]

    org = client.auth_test(token=token)
    assert (org["team_id"], org["team"], org["enterprise_id"], org["is_enterprise_install"]) == (
        "E0GRID", "Grid", "E0GRID", True)
    assert org["url"] == "https://e0grid.enterprise.slack.test/"
    two = client.auth_test(token=token, team_id="T0GRID2")  # asked in a workspace of the org
    assert (two["team_id"], two["team"], two["enterprise_id"], two["user_id"]) == ("T0GRID2", "Grid Two", "E0GRID",
                                                                                    "W0GRIDBOT")


def test_an_org_wide_code_may_name_a_workspace_of_the_org_and_its_refresh_stays_org_wide(slack, client):
    slack.token_rotation = True
    r = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET,
                               code=slack.issue_code("T0GRID", "W0ORGADMIN", enterprise_install=True))
    new = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=SECRET, grant_type="refresh_token",
                                 refresh_token=r["refresh_token"])
    assert (new["team"], new["is_enterprise_install"], new["enterprise"]["id"]) == (None, True, "E0GRID")
    assert slack.token_team(new["access_token"]) == "E0GRID"


def test_an_org_wide_code_needs_an_org(slack):
    with pytest.raises(KeyError):
        slack.issue_code("T0ACME", "U0BOSS", enterprise_install=True)  # Acme is in no org
    with pytest.raises(KeyError):
        slack.issue_code("E0NOWHERE", "U0BOSS", enterprise_install=True)
