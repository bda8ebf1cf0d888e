"""Admins per workspace in OAuth mode (issue 19), end to end on both backends: two workspaces
installed through "Add to Slack" on one deployment. Whoever installed the app in one is an admin
there and nowhere else: they set a team up in their own workspace and are refused in the other;
each Home lists its own workspace's teams; an Edit, an Archive or a submitted modal from one
workspace naming a team of the other changes nothing, is refused and audited; and the
deployment's own admins (OPSBOT_ADMINS) set teams up in both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.devtools.rig import Rig
from storage.db import transaction
from storage.models import Admin, AuditEntry, Membership, Team
from tests.conftest import NO_TEAMS_FILE, make_rig
from tests.helpers import all_text, button, buttons, dms
from tests.test_oauth_install_e2e import install

ACME, OTHER = "T0ACME", "T0OTHER"
BOSS_A, AMY, CHANNEL_A = "U0ABOSS", "U0AAMY", "C0AGROWTH"
BOSS_B, BEN, CHANNEL_B = "U0BBOSS", "U0BBEN", "C0BSALES"
OPS = "U0OPS"  # in OPSBOT_ADMINS: an admin of the whole deployment
PEOPLE = {u: {"name": u.lower(), "real_name": f"Person {u[3:].title()}", "tz": "Asia/Shanghai", "locale": "en-US"}
          for u in (BOSS_A, AMY, BOSS_B, BEN, OPS)}
NOT_ADMIN = "Only an opsbot admin can set up a team"
NOT_EDITOR = "Only an opsbot admin or a supervisor of this team can change it."


@pytest.fixture
def two(database_url: str) -> Iterator[Rig]:
    rig = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE, admins=OPS).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    install(rig, ACME, BOSS_A)
    install(rig, OTHER, BOSS_B)
    try:
        yield rig
    finally:
        rig.stop()


def values(name: str, channel: str, boss: str, member: str) -> dict[str, Any]:
    return {"team_name": name, "team_channel": channel, "team_supervisors": [boss], "team_members": [member],
            "timezone": "Asia/Shanghai", "country": "CN", "locale": "en", "weekly_topic_quota": "2",
            "platforms": "WeChat"}


def set_up(rig: Rig, user: str, workspace: str, name: str, channel: str, member: str) -> Team:
    opened = len(rig.opened_views())
    assert rig.command(user, "/opsbot", "setup", channel=channel, team=workspace).body == ""
    assert len(rig.opened_views()) == opened + 1
    reply = rig.submit(user, rig.last_view(), values(name, channel, user, member), team=workspace)
    assert reply.json()["response_action"] == "update", reply.body
    rig.deliver()
    return team_named(rig, name, workspace)


def team_named(rig: Rig, name: str, workspace: str) -> Team:
    with transaction(rig.app.db) as s:
        team = s.scalars(select(Team).where(Team.name == name, Team.workspace == workspace)).one()
        s.expunge(team)
        return team


def teams(rig: Rig) -> list[tuple[str, str, bool]]:
    with transaction(rig.app.db) as s:
        return [(t.name, t.workspace, t.active) for t in s.scalars(select(Team).order_by(Team.id))]


def people(rig: Rig, team_id: int) -> list[tuple[str, str]]:
    with transaction(rig.app.db) as s:
        return sorted((m.user_id, m.role) for m in s.scalars(select(Membership).where(Membership.team_id == team_id,
                                                                                     Membership.active)))


def audits(rig: Rig, action: str) -> list[tuple[str, str, int | None, str | None]]:
    with transaction(rig.app.db) as s:
        return [(a.actor_id, a.outcome, a.item_id, a.detail) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def home_of(rig: Rig, user: str, workspace: str) -> dict:
    rig.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"Ev{time.monotonic_ns()}",
              team=workspace)
    rig.deliver()
    return [c for c in rig.slack.calls("views.publish") if c.params["user_id"] == user][-1].params["view"]


def edit_buttons(home: dict) -> list[str]:
    return [b["accessory"]["action_id"] for b in home["blocks"]
            if b.get("accessory", {}).get("text", {}).get("text") == "Edit"]


def test_the_installer_is_an_admin_of_their_workspace_only(two):
    with transaction(two.app.db) as s:
        assert sorted((a.user_id, a.workspace, a.source) for a in s.scalars(select(Admin))) == [
            (BOSS_A, ACME, "install"), (BOSS_B, OTHER, "install"), (OPS, "", "env")]

    growth = set_up(two, BOSS_A, ACME, "Growth", CHANNEL_A, AMY)
    assert (growth.workspace, growth.managed_by) == (ACME, "slack")

    # In the other workspace Acme's installer is nobody's admin: refused, told why, audited.
    opened = len(two.opened_views())
    answer = two.command(BOSS_A, "/opsbot", "setup", channel=CHANNEL_B, team=OTHER).json()
    assert NOT_ADMIN in answer["text"] and answer["response_type"] == "ephemeral"
    assert len(two.opened_views()) == opened
    assert audits(two, "team.setup") == [(BOSS_A, "denied", None, "not an admin")]
    # Nor does a setup modal opened in Acme, submitted from the other workspace, create a team there.
    two.command(BOSS_A, "/opsbot", "setup", channel=CHANNEL_A, team=ACME)
    reply = two.submit(BOSS_A, two.last_view(), values("Sales", CHANNEL_B, BOSS_A, BEN), team=OTHER).json()
    assert reply["response_action"] == "errors" and NOT_ADMIN in all_text(reply)
    assert teams(two) == [("Growth", ACME, True)]
    assert audits(two, "team.create") == [(BOSS_A, "ok", growth.id, None), (BOSS_A, "denied", None, "not an admin")]

    # The other workspace's own installer sets its team up there.
    sales = set_up(two, BOSS_B, OTHER, "Sales", CHANNEL_B, BEN)
    assert teams(two) == [("Growth", ACME, True), ("Sales", OTHER, True)]
    assert people(two, sales.id) == [(BEN, "member"), (BOSS_B, "supervisor")]


def test_each_workspaces_home_lists_only_its_own_teams(two):
    growth = set_up(two, BOSS_A, ACME, "Growth", CHANNEL_A, AMY)
    sales = set_up(two, BOSS_B, OTHER, "Sales", CHANNEL_B, BEN)

    home_a = home_of(two, BOSS_A, ACME)
    assert "*Growth*" in all_text(home_a) and "Sales" not in all_text(home_a)
    assert edit_buttons(home_a) == [f"team_edit:{growth.id}"] and "New team" in buttons(home_a)
    home_b = home_of(two, BOSS_B, OTHER)
    assert "*Sales*" in all_text(home_b) and "Growth" not in all_text(home_b)
    assert edit_buttons(home_b) == [f"team_edit:{sales.id}"]


def test_a_forged_edit_archive_or_submission_of_a_team_of_another_workspace_changes_nothing(two):
    growth = set_up(two, BOSS_A, ACME, "Growth", CHANNEL_A, AMY)
    set_up(two, BOSS_B, OTHER, "Sales", CHANNEL_B, BEN)
    before = people(two, growth.id)

    # The other workspace's admin presses Edit and Archive with Acme's team id in the value.
    opened = len(two.opened_views())
    two.click(BOSS_B, f"team_edit:{growth.id}", str(growth.id), home=True, team=OTHER)
    two.click(BOSS_B, "team_archive", str(growth.id), home=True, team=OTHER)
    two.deliver()
    assert len(two.opened_views()) == opened, "no edit modal opened"
    refusals = [all_text(c.params) for c in dms(two.slack.calls(), BOSS_B)]
    assert sum(NOT_EDITOR in t for t in refusals) == 2
    # A modal Acme's installer opened for Growth, submitted from the other workspace.
    two.click(BOSS_A, f"team_edit:{growth.id}", str(growth.id), home=True, team=ACME)
    modal = two.last_view()
    reply = two.submit(BOSS_B, modal, {"team_name": "Taken", "team_members": [BEN]}, team=OTHER).json()
    assert reply["response_action"] == "errors" and NOT_EDITOR in all_text(reply)

    assert teams(two)[0] == ("Growth", ACME, True) and people(two, growth.id) == before
    other = "a team of another workspace"
    assert audits(two, "team.edit") == [(BOSS_B, "denied", growth.id, other)]
    assert audits(two, "team.archive") == [(BOSS_B, "denied", growth.id, other)]
    assert audits(two, "team.update") == [(BOSS_B, "denied", growth.id, other)]

    # From its own workspace the same Archive ends the team.
    archive = button({"blocks": modal["blocks"]}, "Archive team")
    two.click(BOSS_A, "team_archive", archive["value"], home=True, team=ACME)
    assert teams(two)[0] == ("Growth", ACME, False)
    assert audits(two, "team.archive")[-1][:2] == (BOSS_A, "ok")


def test_the_deployments_admins_set_teams_up_in_both_workspaces_each_on_its_own(two):
    growth = set_up(two, OPS, ACME, "Growth", CHANNEL_A, AMY)
    sales = set_up(two, OPS, OTHER, "Sales", CHANNEL_B, BEN)
    assert teams(two) == [("Growth", ACME, True), ("Sales", OTHER, True)]

    home_a = home_of(two, OPS, ACME)
    assert edit_buttons(home_a) == [f"team_edit:{growth.id}"] and "Sales" not in all_text(home_a)
    # Their Edit works in the team's own workspace, not from the other one.
    opened = len(two.opened_views())
    two.click(OPS, f"team_edit:{sales.id}", str(sales.id), home=True, team=ACME)
    assert len(two.opened_views()) == opened
    two.click(OPS, f"team_edit:{sales.id}", str(sales.id), home=True, team=OTHER)
    assert len(two.opened_views()) == opened + 1 and "Sales" in all_text(two.last_view())
    assert audits(two, "team.edit") == [(OPS, "denied", sales.id, "a team of another workspace")]


def test_a_slack_workspace_admin_is_an_admin_of_the_workspace_that_said_so(two):
    two.slack.set_user(AMY, is_admin=True)
    set_up(two, AMY, ACME, "Growth", CHANNEL_A, BOSS_A)
    with transaction(two.app.db) as s:
        assert [(a.workspace, a.source) for a in s.scalars(select(Admin).where(Admin.user_id == AMY))] == [
            (ACME, "slack")]
    # Demoted in Slack: asked again at the next setup, refused at once, the row gone.
    two.slack.set_user(AMY, is_admin=False)
    assert NOT_ADMIN in two.command(AMY, "/opsbot", "setup", channel=CHANNEL_A, team=ACME).json()["text"]
    with transaction(two.app.db) as s:
        assert s.scalars(select(Admin).where(Admin.user_id == AMY)).all() == []
