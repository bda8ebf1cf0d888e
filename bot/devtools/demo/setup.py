"""The demo's setup act (docs/PRODUCT.md §1): the workspace has no teams yet.
Lena, a Slack workspace admin, sets up Growth in #growth with ``/opsbot
setup``; 王芳 (Wang), also a workspace admin, sets up 品牌组 in #brand. Each
team exists at once: a welcome card in its channel, an intro DM to everyone
in it, in their own language.

The teams come out as ``stage.TEAMS`` describes them, so the acts after this
one play as they would on teams from the file. It needs nothing from the
other acts: in the whole story it comes first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.devtools.demo.stage import (
    BRAND,
    BRAND_TEAM,
    GROWTH,
    GROWTH_TEAM,
    LEAD,
    MEI,
    START,
    TEAMS,
    WANG,
    Stage,
    form_values,
)
from bot.devtools.rig import Reply
from bot.devtools.slack_standin import Call
from storage.db import transaction
from storage.models import Team

# What each admin types into the setup form: the teams as stage.TEAMS describes them.
SPECS = {team["name"]: team for team in TEAMS["teams"]}
# The intro DM's first words in English; a DM without them was written in another language.
ENGLISH_INTRO = "You are now in"


class SetupAct(Stage):
    """Teams set up in Slack by workspace admins, from an empty workspace."""

    ACT = "setup"
    BLURB = "setting teams up in Slack, from an empty workspace"
    SCENES = ("lena_sets_up_growth", "wang_sets_up_brand")
    TEAMS_FILE: dict[str, Any] = {"admins": []}
    CAST = (f"No teams yet, and nobody named as an admin: Lena and 王芳 are Slack workspace admins. Lena sets up "
            f"{GROWTH_TEAM} (#growth, Asia/Shanghai, English, quota 3; members Alice in Shanghai, Bob in New York) "
            f"and 王芳 sets up {BRAND_TEAM} (#brand, Chinese), both with /opsbot setup.")

    def prepare(self) -> None:
        self.term.narrate("Set-up: none; the workspace starts empty.")

    def set_up_team(self, admin: str, team: dict[str, Any], filled: str) -> list[Call]:
        """``admin`` types ``/opsbot setup`` in the team's channel, fills the
        form in and presses Create team; what Slack shows then."""
        channel = team["channel"]
        self.term.narrate(f"{self.term.name(admin)} types in {self.term.channel(channel)}:  /opsbot setup")
        self.reply(self.rig.command(admin, "/opsbot", "setup", channel=channel), admin)
        view = self.form(self.show(admin), "the setup form")
        if view is None:
            return []
        self.term.narrate(f"{self.term.name(admin)} fills it in — {filled} — and presses [ Create team ]")
        r = self.rig.submit(admin, view, form_values(team))
        self.reply(r, admin)
        self.done(r, admin)
        asked = self.rig.slack.all_calls()[self.seen:]  # before show() takes them
        joined = any(c.method == "conversations.join" and c.params.get("channel") == channel for c in asked)
        if self.check(joined, f"opsbot joined {self.term.channel(channel)}"):
            self.term.note(f"opsbot was not in {self.term.channel(channel)} yet: before saving anything it asked "
                           "Slack about the channel and, as it is public, joined it itself.")
        fresh = self.show(admin)
        self.check(any(c.method == "chat.postMessage" and c.params.get("channel") == channel for c in fresh),
                   f"the welcome card in {self.term.channel(channel)}")
        for person in (*team["supervisors"], *team["members"]):
            self.check(bool(self.dms_to(fresh, person)), f"{self.term.name(person)}'s intro DM")
        return fresh

    def done(self, r: Reply, viewer: str) -> None:
        """What the form turns into once the team is saved."""
        body = r.json() if r.body else None
        if isinstance(body, dict) and body.get("response_action") == "update":
            lines = [self.term.style("the form turns into:", "bold"), *self.term.blocks(body["view"]["blocks"])]
            self.term.show(["", *("  " + line for line in lines)])

    def lena_sets_up_growth(self) -> None:
        intro = ("First, the setup. opsbot has just been installed: no teams, in no channel. A workspace admin "
                 "sets up each team in Slack; nothing is configured by hand.")
        self.term.write(["", *(self.term.style(line, "bold") for line in self.term._wrap(intro, "", ""))])
        self.rig.slack.not_in_channel.update({GROWTH, BRAND})
        self.scene(START, f"Lena, a workspace admin, sets up {GROWTH_TEAM} in #growth")
        self.set_up_team(LEAD, SPECS[GROWTH_TEAM], "Growth, #growth, supervisor Lena, members Alice and Bob, "
                                                    "Asia/Shanghai, CN, English, quota 3, four platforms")

    def wang_sets_up_brand(self) -> None:
        self.scene(START + timedelta(minutes=10), f"王芳 (Wang), also a workspace admin, sets up {BRAND_TEAM} in #brand")
        fresh = self.set_up_team(WANG, SPECS[BRAND_TEAM], f"{BRAND_TEAM}, #brand, supervisor 王芳, member 李梅, "
                                                          "Asia/Shanghai, CN, 简体中文, quota 2, WeChat and "
                                                          "Xiaohongshu")
        dm = self.dms_to(fresh, MEI)
        if self.check(bool(dm) and ENGLISH_INTRO not in str(dm[-1].params.get("text")),
                      "李梅's intro DM in Chinese, her Slack language"):
            self.term.note("李梅's intro DM is in Chinese, her Slack language.")
        with transaction(self.rig.app.db) as s:
            teams = [(t.name, t.managed_by) for t in s.scalars(select(Team).where(Team.active).order_by(Team.id))]
        if self.check(teams == [(GROWTH_TEAM, "slack"), (BRAND_TEAM, "slack")], f"the two teams, got {teams}"):
            self.term.note("Both teams exist at once, set up in Slack: no teams file, no restart. The week begins.")
