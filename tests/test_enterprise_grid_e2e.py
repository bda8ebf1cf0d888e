"""Enterprise Grid, end to end on both backends (issue 19): an org (E0ORG) with two workspaces,
East and West, installs opsbot org-wide through "Add to Slack". Slack answers the code exchange
with ``team: null``, ``is_enterprise_install: true`` and the org; the installation is stored with
no team id, and requests from both workspaces (signed, carrying ``enterprise_id``, their own
``team_id`` and ``is_enterprise_install``) are authorized with it. Each workspace sets up its
own team, whose cards, reminders and Home go out with the org's token; an org-wide uninstall
stops both, and a workspace install in another org goes on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.devtools.rig import Rig
from bot.devtools.slack_standin_calls import Call
from bot.kernel import notices, workspaces
from storage import outbox as outbox_rows
from storage.db import transaction
from storage.installations import BOTS, INSTALLATIONS
from storage.models import Admin, OutboxNotice, Team, WorkspaceUninstall
from storage.topics import Topic
from tests.conftest import NO_TEAMS_FILE, SHANGHAI, make_rig
from tests.helpers import all_text, button, cards, dms
from tests.test_oauth_install_e2e import install, redirect, rows, start_install
from tests.test_workspaces_e2e import to_whom

ORG, EAST, WEST = "E0ORG", "T0EAST", "T0WEST"
# Another org whose one workspace installed opsbot for itself only (not org-wide).
OTHER_ORG, SOLO = "E0SOLOORG", "T0SOLO"
ORG_ADMIN = "W0ORGADMIN"  # Grid's org-level users start with W
LEAD_E, AMY, CHANNEL_E = "W0ELEAD", "W0EAMY", "C0EGROWTH"
LEAD_W, WEN, CHANNEL_W = "W0WLEAD", "W0WWEN", "C0WGROWTH"
BOSS_S, LEAD_S, SAM, CHANNEL_S = "U0SBOSS", "U0SLEAD", "U0SSAM", "C0SGROWTH"
# Where each channel and person is: every call the app makes to them must carry a token that works there.
HOME_OF = {CHANNEL_E: EAST, LEAD_E: EAST, AMY: EAST, CHANNEL_W: WEST, LEAD_W: WEST, WEN: WEST,
           CHANNEL_S: SOLO, BOSS_S: SOLO, LEAD_S: SOLO, SAM: SOLO}
PEOPLE = {u: {"name": u.lower(), "real_name": f"Person {u[3:].title()}", "tz": "Asia/Shanghai", "locale": "en-US"}
          for u in (ORG_ADMIN, LEAD_E, AMY, LEAD_W, WEN, BOSS_S, LEAD_S, SAM)}
# Thursday 26 November 2026, 10:00 in Shanghai: the quota reminder's hour, on a working day.
THU_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
REMINDER = "topics this week"


@pytest.fixture
def grid(database_url: str) -> Iterator[Rig]:
    rig = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rig.slack.add_workspace(EAST, "East", enterprise={"id": ORG, "name": "Org"})
    rig.slack.add_workspace(WEST, "West", enterprise={"id": ORG, "name": "Org"})
    rig.slack.add_workspace(SOLO, "Solo", enterprise={"id": OTHER_ORG, "name": "Solo Org"})
    try:
        yield rig
    finally:
        rig.stop()


def install_org(rig: Rig, installer: str = ORG_ADMIN) -> str:
    """An org admin installs opsbot in the whole org through the install pages; the org's bot token."""
    query, cookie = start_install(rig)
    status, body = redirect(rig, query["state"][0], cookie, rig.slack.issue_code(ORG, installer,
                                                                                 enterprise_install=True))
    assert status == 200, body
    return rig.slack.calls("oauth.v2.access")[-1].response["access_token"]


def set_up_growth(rig: Rig, workspace: str, admin: str, lead: str, member: str, channel: str) -> None:
    """The admin sets up a team called Growth in ``workspace`` with /opsbot setup."""
    assert rig.command(admin, "/opsbot", "setup", channel=channel, team=workspace).status == 200
    values = {"team_name": "Growth", "team_channel": channel, "team_supervisors": [lead], "team_members": [member],
              "timezone": "Asia/Shanghai", "country": "CN", "locale": "en", "weekly_topic_quota": "2",
              "platforms": "WeChat"}
    reply = rig.submit(admin, rig.last_view(), values, team=workspace)
    assert reply.json()["response_action"] == "update", reply.body


def org_and_solo(rig: Rig) -> tuple[str, str]:
    """The org installed org-wide with a Growth in East and one in West; Solo installed for itself
    with its own Growth. (the org's token, Solo's token)"""
    org_token = install_org(rig)
    set_up_growth(rig, EAST, ORG_ADMIN, LEAD_E, AMY, CHANNEL_E)
    set_up_growth(rig, WEST, ORG_ADMIN, LEAD_W, WEN, CHANNEL_W)
    solo_token = install(rig, SOLO, BOSS_S)
    set_up_growth(rig, SOLO, BOSS_S, LEAD_S, SAM, CHANNEL_S)
    rig.deliver()
    return org_token, solo_token


def sent_with_a_token_that_does_not_work_there(rig: Rig) -> list[str]:
    wrong = []
    for c in rig.slack.all_calls():
        where = HOME_OF.get(to_whom(c) or "")
        if where is not None and not rig.slack.token_serves(c.token, where):
            wrong.append(f"{c.method} to {to_whom(c)} with a token of {rig.slack.token_team(c.token)}")
    return wrong


def reminders(rig: Rig, user: str) -> list[Call]:
    return [c for c in dms(rig.slack.calls(), user) if REMINDER in c.params["text"]]


def teams(rig: Rig) -> list[tuple[str, str, str | None, str]]:
    with transaction(rig.app.db) as s:
        return [(t.name, t.workspace, t.enterprise_id, t.channel) for t in s.scalars(select(Team).order_by(Team.id))]


def test_an_org_wide_install_is_answered_like_slack_and_stored_with_no_team_and_its_installer_an_admin(grid):
    token = install_org(grid)
    exchange = grid.slack.calls("oauth.v2.access")[-1].response
    assert (exchange["team"], exchange["is_enterprise_install"]) == (None, True)
    assert exchange["enterprise"] == {"id": ORG, "name": "Org"}
    assert exchange["authed_user"] == {"id": ORG_ADMIN}

    (installation,) = rows(grid, INSTALLATIONS)
    (bot,) = rows(grid, BOTS)
    for row in (installation, bot):
        assert (row["enterprise_id"], row["team_id"], row["is_enterprise_install"]) == (ORG, None, True)
        assert row["bot_token"] and token not in str(row)  # sealed at rest
    assert installation["user_id"] == ORG_ADMIN
    assert installation["enterprise_url"] == f"https://{ORG.lower()}.enterprise.slack.test/"
    with transaction(grid.app.db) as s:
        admin = s.get(Admin, (ORG_ADMIN, ORG))  # an admin of the whole org, not of the deployment
        assert admin is not None and admin.source == "install"
        assert s.get(Admin, (ORG_ADMIN, "")) is None

    # The org's token is the org's: auth.test answers with the org, or with the workspace it is asked about.
    client = WebClient(base_url=grid.slack.api_url, token=token)
    org = client.auth_test()
    assert (org["team_id"], org["enterprise_id"], org["is_enterprise_install"]) == (ORG, ORG, True)
    east = client.auth_test(team_id=EAST)
    assert (east["team_id"], east["team"], east["enterprise_id"]) == (EAST, "East", ORG)
    assert grid.slack.token_serves(token, EAST) and grid.slack.token_serves(token, WEST)
    assert not grid.slack.token_serves(token, SOLO)


def test_each_workspace_of_the_org_sets_up_its_own_team_and_is_served_with_the_org_wide_token(grid):
    org_token, solo_token = org_and_solo(grid)
    assert teams(grid) == [("Growth", EAST, ORG, CHANNEL_E), ("Growth", WEST, ORG, CHANNEL_W),
                           ("Growth", SOLO, OTHER_ORG, CHANNEL_S)]
    # The org's requests are authorized with the one org-wide installation: the setup forms opened with its token.
    [east_form, west_form, solo_form] = grid.slack.calls("views.open")
    assert (east_form.token, west_form.token, solo_form.token) == (org_token, org_token, solo_token)

    grid.command(AMY, "/topic", "Spring launch", channel=CHANNEL_E, team=EAST)
    grid.command(WEN, "/topic", "Autumn sale", channel=CHANNEL_W, team=WEST)
    grid.command(SAM, "/topic", "Solo idea", channel=CHANNEL_S, team=SOLO)
    grid.deliver()
    [card_e] = [c for c in cards(grid.slack.calls(), CHANNEL_E) if "Spring launch" in all_text(c.params)]
    [card_w] = [c for c in cards(grid.slack.calls(), CHANNEL_W) if "Autumn sale" in all_text(c.params)]
    [card_s] = [c for c in cards(grid.slack.calls(), CHANNEL_S) if "Solo idea" in all_text(c.params)]
    assert (card_e.token, card_w.token, card_s.token) == (org_token, org_token, solo_token)
    assert not any("Spring launch" in all_text(c.params) for c in cards(grid.slack.calls(), CHANNEL_W))

    # One token serves both, yet a request acts in its own workspace only: East's card, clicked
    # from West, decides nothing; West's lead decides West's card from West.
    grid.click(LEAD_E, "topic_approve", button(card_e.params, "Approve")["value"], message=card_e, team=WEST)
    assert "I could not find that item." in grid.slack.responses(grid.last_response_url)[-1].params["text"]
    grid.click(LEAD_W, "topic_approve", button(card_w.params, "Approve")["value"], message=card_w, team=WEST)
    grid.deliver()
    with transaction(grid.app.db) as s:
        assert dict(s.execute(select(Topic.title, Topic.status)).all()) == {
            "Spring launch": "proposed", "Autumn sale": "approved", "Solo idea": "proposed"}

    # Home, opened in West: an event whose authorizations name the org and no team.
    grid.slack.clear()
    assert grid.event({"type": "app_home_opened", "user": WEN, "tab": "home"}, event_id="Ev0WENHOME",
                      team=WEST).status == 200
    grid.deliver()
    [home] = grid.slack.calls("views.publish")
    assert (home.params["user_id"], home.token) == (WEN, org_token)
    assert "Growth" in all_text(home.params)
    with transaction(grid.app.db) as s:  # sent as West's (paced as West's), not as the whole org's
        notice = s.scalars(select(OutboxNotice).where(OutboxNotice.kind == notices.HOME, OutboxNotice.recipient == WEN)
                           .order_by(OutboxNotice.id.desc()).limit(1)).one()
        assert outbox_rows.workspace_of(s, notice) == (WEST, ORG)

    grid.clock.set(THU_10)
    grid.app.jobs.run("quota-reminder", now=THU_10)
    grid.deliver()
    [amy], [wen], [sam] = reminders(grid, AMY), reminders(grid, WEN), reminders(grid, SAM)
    assert "1 of 2 topics" in amy.params["text"] and "1 of 2 topics" in wen.params["text"]
    assert (amy.token, wen.token, sam.token) == (org_token, org_token, solo_token)
    assert sent_with_a_token_that_does_not_work_there(grid) == []


def test_a_job_refreshes_the_org_wide_rotating_token_once_for_both_workspaces(grid):
    grid.slack.token_rotation = True  # 12-hour tokens: not due while the teams are set up
    org_token, solo_token = org_and_solo(grid)
    with grid.app.engine.begin() as conn:  # the org's token now expires within the two hours' warning
        org_bot = BOTS.c.enterprise_id == ORG
        expires = conn.execute(select(BOTS.c.bot_token_expires_at).where(org_bot)).scalar_one()
        conn.execute(update(BOTS).where(org_bot).values(
            bot_token_expires_at=expires - timedelta(seconds=grid.slack.token_seconds) + timedelta(hours=1)))
    grid.app.worker.slack.tokens.forget(None, ORG)  # behind the token cache's back: drop it
    grid.slack.clear()

    grid.clock.set(THU_10)
    grid.app.jobs.run("quota-reminder", now=THU_10)
    grid.deliver()
    [refresh] = [c for c in grid.slack.calls("oauth.v2.access", ok_only=False)
                 if c.params.get("grant_type") == "refresh_token"]
    fresh = refresh.response["access_token"]
    assert fresh != org_token and grid.slack.token_team(fresh) == ORG
    assert [c.token for c in reminders(grid, AMY) + reminders(grid, WEN)] == [fresh, fresh]
    assert [c.token for c in reminders(grid, SAM)] == [solo_token]
    [bot] = [r for r in rows(grid, BOTS) if r["enterprise_id"] == ORG]
    assert (bot["team_id"], bot["is_enterprise_install"]) == (None, True)  # saved back as the org's
    assert fresh not in str(bot)
    assert sent_with_a_token_that_does_not_work_there(grid) == []


def test_an_org_wide_uninstall_stops_both_workspaces_teams_and_not_a_workspace_install_of_another_org(grid):
    org_token, solo_token = org_and_solo(grid)
    # Slack's app_uninstalled for an org-wide install: the org, and no team in its authorizations.
    assert grid.event({"type": "app_uninstalled"}, event_id="Ev0UNINSTALL", team=EAST).status == 200

    assert [(r["enterprise_id"], r["team_id"]) for r in rows(grid, BOTS)] == [(OTHER_ORG, SOLO)]
    with transaction(grid.app.db) as s:
        assert [(m.enterprise_id, m.team_id) for m in s.scalars(select(WorkspaceUninstall))] == [(ORG, "")]
    assert [t[:3] for t in teams(grid)] == [("Growth", EAST, ORG), ("Growth", WEST, ORG), ("Growth", SOLO, OTHER_ORG)]

    grid.slack.clear()
    grid.clock.set(THU_10)
    grid.app.jobs.run("quota-reminder", now=THU_10)
    grid.deliver()
    assert reminders(grid, AMY) == [] and reminders(grid, WEN) == []
    assert [c.token for c in reminders(grid, SAM)] == [solo_token]

    # Nor is anything from the org's workspaces answered any more; Solo's are.
    grid.command(AMY, "/topic", "After the uninstall", channel=CHANNEL_E, team=EAST)
    grid.command(SAM, "/topic", "Solo goes on", channel=CHANNEL_S, team=SOLO)
    grid.deliver()
    assert [c.token for c in cards(grid.slack.calls(), CHANNEL_S) if "Solo goes on" in all_text(c.params)] \
        == [solo_token]
    assert not any("After the uninstall" in all_text(c.params) for c in grid.slack.all_calls())
    assert [c for c in grid.slack.all_calls() if c.token == org_token] == []
    with transaction(grid.app.db) as s:
        assert s.scalars(select(Topic.title).where(Topic.title == "After the uninstall")).all() == []

    # Purged at once by the org's enterprise id: both workspaces' teams go, Solo's stays.
    [done] = workspaces.purge(db=grid.app.db, clock=grid.clock, days=30, team_ids=[ORG], at_once=True)
    assert sorted(done.teams) == ["Growth", "Growth"]
    assert teams(grid) == [("Growth", SOLO, OTHER_ORG, CHANNEL_S)]


def test_a_workspace_of_an_org_that_did_not_install_is_not_answered_with_another_orgs_token(grid):
    install(grid, SOLO, BOSS_S)  # Solo's org is not the org; the org has installed nothing
    grid.slack.clear()
    assert grid.command(AMY, "/topic", team=EAST).status == 200
    assert grid.slack.calls("views.open") == []
    assert [c for c in grid.slack.all_calls() if c.token and c.token != "legacy"] == []
