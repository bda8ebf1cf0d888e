"""The demo's training and development (docs/RULES.md §五, issue 18): 王芳
gives 品牌组 an onboarding checklist and 李梅, who joined that morning, gets
her first item by DM in Chinese, presses 完成, and 王芳's Home follows her
progress; Lena announces a training session on a card in #growth, Alice
joins and Bob can't make it, Alice is reminded on the day, Lena records who
attended; Alice writes down her career goals for the year.

In the story it plays in the first week, Monday 23 to Wednesday 25 November
2026 (Asia/Shanghai), around the topics act's Monday: the checklist right
after the setup, the first item once the topics are decided. Alice's
November self-review then lists the session as ability evidence, and the
annual review shows her goals. Played alone, the two teams are first set up
in Slack (a checklist is for a team Slack manages, not the teams file).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.devtools.demo.stage import (
    ALICE,
    BOB,
    BRAND,
    BRAND_TEAM,
    GROWTH,
    LEAD,
    MEI,
    START,
    TEAMS,
    WANG,
    Stage,
    button,
    form_values,
)
from bot.devtools.slack_standin import Call

CHECKLIST = "0: 阅读团队手册和品牌指南\n1: 旁听一次选题评审\n3: 提交你的第一个选题"
TRAINING = {"training_topic": "Writing headlines that earn the click", "training_place": "Room 3",
            "training_description": "Bring two headlines of your own; we rewrite them together."}
GOALS = "Lead a campaign from brief to retrospective\nLearn SQL for the dashboards\nMentor the next new member"


def nov(day: int, hour: int, minute: int = 0) -> datetime:
    return START.replace(day=day, hour=hour, minute=minute)


class DevelopmentAct(Stage):
    """Onboarding, a training session, career goals."""

    ACT = "development"
    BLURB = "onboarding a new member, a training session, career goals"
    SCENES = ("wang_sets_the_checklist", "mei_gets_her_first_item", "lena_announces_training",
              "training_day", "alice_writes_her_goals")
    TEAMS_FILE: dict[str, Any] = {"admins": []}
    CAST = (f"No teams file: Lena and 王芳, Slack workspace admins, set up Growth and {BRAND_TEAM} in Slack first "
            "(Growth: #growth, English, Alice in Shanghai, Bob in New York; 品牌组: #brand, Chinese, 李梅).")

    training_card: Call | None = None

    def prepare(self) -> None:
        self.rig.clock.set(START)
        for admin, team in zip((LEAD, WANG), TEAMS["teams"], strict=True):
            self.rig.command(admin, "/opsbot", "setup", channel=team["channel"])
            r = self.rig.submit(admin, self.rig.last_view(), form_values(team))
            self.check(r.status == 200, f"the app answered HTTP {r.status}")
            self.offstage()
        self.set_up("Lena set up Growth and 王芳 set up 品牌组 with /opsbot setup on Monday 23 Nov, 09:00.")

    # -- helpers ---------------------------------------------------------------------

    def _turns_into(self, r: Any) -> None:
        body = r.json() if r.body else None
        if isinstance(body, dict) and body.get("response_action") == "update":
            lines = [self.term.style("the form turns into:", "bold"), *self.term.blocks(body["view"]["blocks"])]
            self.term.show(["", *("  " + line for line in lines)])
        else:
            self.reply(r, "")

    def _opsbot(self, user: str, text: str, channel: str, what: str) -> dict[str, Any] | None:
        self.term.narrate(f"{self.term.name(user)} types in {self.term.channel(channel)}:  /opsbot {text}")
        self.reply(self.rig.command(user, "/opsbot", text, channel=channel), user)
        return self.form(self.show(user), what)

    def _home_lines(self, user: str, words: str) -> list[str]:
        """The lines of ``user``'s Home tab, as last published, that mention ``words``."""
        published = [c for c in self.rig.slack.calls("views.publish") if c.params.get("user_id") == user]
        if not published:
            return []
        view = published[-1].params.get("view") or {}
        return [line for line in self.term.blocks(view.get("blocks") or []) if words in line]

    # -- onboarding --------------------------------------------------------------------

    def wang_sets_the_checklist(self) -> None:
        self.scene(nov(23, 9, 15), "王芳 gives 品牌组 an onboarding checklist")
        view = self._opsbot(WANG, "onboarding", BRAND, "the checklist form")
        if view is None:
            return
        self.term.narrate(f"王芳 writes three items, one a line (day: item), and presses [ {view['submit']['text']} ]")
        for line in CHECKLIST.splitlines():
            self.term.write("  │ " + line)
        self._turns_into(self.rig.submit(WANG, view, {"onboarding_items": CHECKLIST}))
        self.show(WANG)
        self.term.note("李梅 joined 品牌组 this morning: her checklist starts today, each item on its working day.")

    def mei_gets_her_first_item(self) -> None:
        self.scene(nov(23, 10), "10:00: 李梅's first onboarding item, by DM, in Chinese; she presses 完成")
        self.run_job("onboarding", team=BRAND_TEAM)
        fresh = self.show()
        dm = next((c for c in self.dms_to(fresh, MEI) if button(c, "onboarding_done")), None)
        if not self.check(dm is not None, "李梅's day-0 item with 完成"):
            return
        assert dm is not None
        self.press(MEI, dm, "onboarding_done", "完成")
        self.term.narrate("王芳 opens opsbot's Home tab")
        self.rig.event({"type": "app_home_opened", "user": WANG, "tab": "home"}, event_id="EvDemoWangHome")
        self.show(WANG)
        progress = [line for line in self._home_lines(WANG, "@李梅") if "入职" in line]
        if self.check(any("1 / 3" in line for line in progress), "李梅's progress on 王芳's Home"):
            self.term.show(["", "  " + self.term.style("on 王芳's Home:", "bold"), *("  " + ln for ln in progress)])

    # -- training ----------------------------------------------------------------------

    def _training_card(self, fresh: list[Call]) -> None:
        for c in fresh:
            if c.method in ("chat.postMessage", "chat.update") and button(c, "training_join"):
                self.training_card = c

    def lena_announces_training(self) -> None:
        self.scene(nov(23, 10, 15), "Lena announces a training session; Alice joins, Bob can't make it")
        view = self._opsbot(LEAD, "training", GROWTH, "the training form")
        if view is None:
            return
        self.term.narrate(f"Lena fills in: {TRAINING['training_topic']} · Wednesday 25 Nov, 15:00 · Room 3, "
                          f"and presses [ {view['submit']['text']} ]")
        self._turns_into(self.rig.submit(LEAD, view, {**TRAINING, "training_start": nov(25, 15)}))
        fresh = self.show(LEAD)
        self._training_card(fresh)
        if not self.check(self.training_card is not None, "the training card in #growth"):
            return
        assert self.training_card is not None
        first = self.training_card
        self._training_card(self.press(ALICE, first, "training_join", "Join"))
        self._training_card(self.press(BOB, first, "training_decline", "Can't make it"))

    def training_day(self) -> None:
        self.scene(nov(25, 10), "Wednesday 10:00: the reminder, to those who joined")
        sent = self.run_job("training-reminder")
        fresh = self.show()
        self.check(ALICE in [r for r, _ in sent] and bool(self.dms_to(fresh, ALICE)), "Alice's reminder")
        self.check(not self.dms_to(fresh, BOB), "no reminder to Bob, who can't make it")
        self.scene(nov(25, 17), "After the session, Lena records who attended")
        if self.training_card is None:
            return
        view = self.form(self.press(LEAD, self.training_card, "training_attendance", "Record attendance"),
                         "the attendance form")
        if view is None:
            return
        self.term.narrate(f"Lena keeps Alice ticked and presses [ {view['submit']['text']} ]")
        self._turns_into(self.rig.submit(LEAD, view, {"training_attendees": [ALICE]}))
        self.show(LEAD)
        self.term.note("At month-end Alice's self-review lists the session as evidence for her ability score.")

    def alice_writes_her_goals(self) -> None:
        self.scene(nov(25, 17, 30), "Alice writes down her career goals for the year")
        view = self._opsbot(ALICE, "goals", GROWTH, "the goals form")
        if view is None:
            return
        self.term.narrate(f"Alice writes three goals, one a line, and presses [ {view['submit']['text']} ]")
        for line in GOALS.splitlines():
            self.term.write("  │ " + line)
        self._turns_into(self.rig.submit(ALICE, view, {"career_goals": GOALS}))
        self.show(ALICE)
        self.term.note("Her goals are private to her and her supervisors; Lena reads them in the annual review.")
