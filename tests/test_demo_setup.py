"""``opsbot demo``'s setup act: the story starts from an empty workspace, and
two workspace admins set their teams up in Slack with ``/opsbot setup``. The
teams come out as ``stage.TEAMS`` describes them, so the acts after it play
on the same teams as they would from the file."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.devtools.demo import (
    ACTS,
    ALICE,
    BOB,
    BRAND,
    BRAND_TEAM,
    GROWTH,
    GROWTH_TEAM,
    LEAD,
    MEI,
    STORY,
    TEAMS,
    WANG,
    Demo,
    SetupAct,
    Stage,
)
from bot.kernel.teams import team_values
from bot.kernel.teams_file import CalendarConfig, ReviewsConfig, parse_teams
from storage import queries
from storage.db import transaction
from storage.models import Admin, SlackUser, Team
from tests.helpers import all_text


@pytest.fixture(scope="module")
def setup_played(tmp_path_factory) -> tuple[int, str, SetupAct]:
    out = io.StringIO()
    db = tmp_path_factory.mktemp("setup") / "demo.sqlite3"
    act = SetupAct(database_url=f"sqlite:///{db}", out=out)
    return act.run(), out.getvalue(), act


def test_the_whole_story_begins_with_the_setup_on_an_empty_workspace():
    assert list(ACTS)[0] == "setup" and ACTS["setup"] is SetupAct
    assert STORY[:len(SetupAct.SCENES)] == SetupAct.SCENES
    assert Demo.TEAMS_FILE == SetupAct.TEAMS_FILE
    assert not parse_teams(Demo.TEAMS_FILE).teams and not parse_teams(Demo.TEAMS_FILE).admins
    # Played alone, the other acts still read the two teams from the file; but for development, whose
    # onboarding checklist is for a team Slack manages: it sets the two teams up in Slack first.
    for name, act in ACTS.items():
        if name == "development":
            assert act.TEAMS_FILE == SetupAct.TEAMS_FILE, name
        elif name != "setup":
            assert act.TEAMS_FILE is TEAMS is Stage.TEAMS_FILE, name


def test_the_setup_act_shows_the_command_the_modal_the_welcome_card_and_the_intro_dms(setup_played):
    code, out, _act = setup_played
    assert code == 0, out
    assert "✗" not in out
    assert out.startswith("opsbot demo --act setup — ")
    assert "No teams yet" in out and "First, the setup." in out
    assert out.index("Lena types in #growth:  /opsbot setup") < out.index("modal “Set up a team” opens for Lena")
    for field in ("Team name:", "Channel:  [ this channel ▾ ]", "Supervisors:  [ Lena ▾ ]",
                  "Members (optional):", "Time zone:", "Channel language:", "Weekly topic quota:", "Platforms:"):
        assert field in out, field
    assert "[ Cancel ] [ Create team ]" in out
    assert "Growth is set up in #growth." in out
    assert "#growth (C0GROWTH)\n  │ opsbot is set up for Growth." in out
    for who in ("Lena", "Alice", "Bob"):
        assert f"DM → {who}\n  │ You are now in Growth (#growth)" in out, who
    for who in ("王芳", "李梅"):  # in their language, zh-CN
        assert f"DM → {who}\n  │ " in out, who
    assert "王芳 types in #brand:  /opsbot setup" in out
    assert "modal “设置团队” opens for 王芳" in out and "[ 取消 ] [ 创建团队 ]" in out  # in his language
    assert "#brand (C0BRAND)\n  │ " in out
    assert "李梅's intro DM" in out


def test_after_the_setup_the_store_holds_the_two_teams_as_stage_teams_describes_them(setup_played):
    code, out, act = setup_played
    assert code == 0, out
    described = {cfg.name: cfg for cfg in parse_teams(TEAMS).teams}
    with transaction(act.rig.app.db) as s:
        teams = list(s.scalars(select(Team).order_by(Team.id)))
        assert [t.name for t in teams] == [GROWTH_TEAM, BRAND_TEAM]
        for team in teams:
            cfg = described[team.name]
            assert team.managed_by == "slack" and team.active
            want = team_values(cfg)
            for key in ("channel", "timezone", "country", "locale", "weekly_topic_quota", "mention_in_summaries",
                        "platforms", "schedule"):
                assert getattr(team, key) == want[key], (team.name, key)
            assert CalendarConfig.model_validate(team.calendar or {}) == cfg.calendar
            assert ReviewsConfig.model_validate(team.reviews or {}) == cfg.reviews
            assert queries.team_user_ids(s, team.id, "supervisor") == cfg.supervisors
            assert queries.team_user_ids(s, team.id, "member") == cfg.members
        # Nobody was named an admin: Lena and Wang are admins because Slack says so.
        assert list(s.scalars(select(Admin))) == []
        admins = set(s.scalars(select(SlackUser.user_id).where(SlackUser.workspace_admin)))
        assert admins == {LEAD, WANG}


def test_slack_received_the_joins_the_welcome_cards_and_an_intro_dm_for_everyone(setup_played):
    code, out, act = setup_played
    assert code == 0, out
    calls = act.rig.slack.all_calls()
    assert all(c.ok for c in calls), act.rig.slack.dump(c for c in calls if not c.ok)
    opened = [c.response["view"] for c in calls if c.method == "views.open"]
    assert [v["callback_id"] for v in opened] == ["team_setup", "team_setup"]
    assert [c.params["channel"] for c in calls if c.method == "conversations.join"] == [GROWTH, BRAND]
    posts = [c for c in calls if c.method == "chat.postMessage"]
    welcome = {c.params["channel"]: all_text(c.params) for c in posts if c.params["channel"] in (GROWTH, BRAND)}
    assert set(welcome) == {GROWTH, BRAND}
    assert "opsbot is set up for Growth" in welcome[GROWTH]
    assert f"opsbot 已为 {BRAND_TEAM} 设置好" in welcome[BRAND]  # the channel's language
    dms = {c.params["channel"]: all_text(c.params) for c in posts if c.params["channel"] not in (GROWTH, BRAND)}
    assert sorted(dms) == sorted([LEAD, ALICE, BOB, WANG, MEI]), "one intro DM each"
    for who in (ALICE, BOB):
        assert f"*{GROWTH_TEAM}*" in dms[who] and "as a member" in dms[who]
    assert "as a supervisor" in dms[LEAD]
    for who in (WANG, MEI):  # in their language, zh-CN
        assert f"*{BRAND_TEAM}*" in dms[who] and f"<#{BRAND}>" in dms[who]
    # opsbot joined each channel before its welcome card went there.
    for channel in (GROWTH, BRAND):
        joined = next(i for i, c in enumerate(calls) if c.method == "conversations.join"
                      and c.params["channel"] == channel)
        posted = next(i for i, c in enumerate(calls) if c.method == "chat.postMessage"
                      and c.params["channel"] == channel)
        assert joined < posted, channel
