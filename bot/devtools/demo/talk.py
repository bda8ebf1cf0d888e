"""The demo's feedback-talk act (绩效反馈面谈, docs/RULES.md, issue 18): Lena
schedules Alice's talk after November's review with ``/opsbot talk``; both
hear the time in their own zone and are reminded on the day; after the talk
Lena records the notes and a two-item improvement plan, which Alice
acknowledges. On each item's due working day its owner is asked Done / Not
yet: Alice answers Not yet with a comment and a new date, then Done. In
品牌组, 王芳 learns in Chinese that 李梅 has no evaluated review to talk about.

In the story the talk is scheduled right after the reviews act (Wednesday 2
December 2026, Asia/Shanghai) for Tuesday 8 December, a day the other acts
leave free; the first follow-up comes on Monday 14 December, before the
plan's mid-month progress, and the last on Friday 18 December. Played alone,
it first has Alice write November's self-review and Lena evaluate it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.devtools.demo.stage import ALICE, BRAND, GROWTH, LEAD, MEI, SHANGHAI, WANG, Stage, button, dec
from bot.devtools.slack_standin import Call

TALK_AT = dec(8, 15)
PLACE = "Room 3, or the Zoom link in the invite"
NOTES = ("Good month. The customer story slipped because drafts start late; outline first. "
         "Alice wants more say in headlines.")
FIRST_ITEM = "Send Lena an outline before drafting each piece"
SECOND_ITEM = "Book Alice a headline workshop with 品牌组"
FIRST_DUE, NEW_DUE, SECOND_DUE = "2026-12-14", "2026-12-18", "2026-12-18"
NOT_YET = "Two of three outlines went out first; the year-end piece did not."


class TalkAct(Stage):
    """The feedback talk after the month's review, and its improvement plan."""

    ACT = "talk"
    BLURB = "the feedback talk after November's review, and its improvement plan followed up"
    SCENES = ("talk_scheduled", "wang_has_no_review_to_talk_about", "talk_day_reminder", "talk_notes_recorded", "alice_acknowledges_the_plan",
              "improvement_not_yet", "improvement_done")

    def prepare(self) -> None:
        self.rig.clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI))
        r = self.rig.command(ALICE, "/selfreview", "2026-11", channel=GROWTH)
        self.check(r.status == 200, f"the app answered HTTP {r.status}")
        self.check(self.rig.submit(ALICE, self.rig.last_view(), {
            "rv_achievements": "Onboarding video series approved and scripted.",
            "rv_shortcomings": "The customer story was late.", "rv_plan": "Outline first.",
            "rv_score_performance": "85", "rv_score_ability": "80", "rv_score_attitude": "90"}).status == 200,
            "the self-review saved")
        self.offstage()
        ask = self._fb_dm(LEAD, "review_evaluate")
        if self.check(ask is not None, "Lena asked to evaluate"):
            assert ask is not None
            found = button(ask, "review_evaluate")
            self.rig.click(LEAD, "review_evaluate", found["value"] if found else "", message=ask)
            r = self.rig.submit(LEAD, self.rig.last_view(), {"rv_score_performance": "84", "rv_score_ability": "80",
                                                              "rv_score_attitude": "90", "rv_comment": "Good month."})
            self.check(r.status == 200 and not r.body, "Lena's evaluation saved")
            self.offstage()
        self.rig.clock.set(dec(2, 10, 30))
        self.set_up("Alice wrote November's self-review on Monday 30 Nov and Lena evaluated it; "
                    "now it is Wednesday 2 Dec.")

    # -- helpers ---------------------------------------------------------------

    def _fb_dm(self, user: str, action_id: str, words: str = "") -> Call | None:
        """The latest DM to ``user`` with the button ``action_id`` (and ``words`` in it)."""
        for c in reversed(self.rig.slack.calls("chat.postMessage")):
            if c.params.get("channel") == user and button(c, action_id) and words in str(c.params):
                return c
        return None

    def _fb_open(self, user: str, action_id: str, label: str, words: str = "") -> dict[str, Any] | None:
        """``user`` presses [ label ] on their latest DM with it; the modal it opens."""
        dm = self._fb_dm(user, action_id, words)
        if not self.check(dm is not None, f"a DM to {user} with [ {label} ]"):
            return None
        assert dm is not None
        return self.form(self.press(user, dm, action_id, label), f"the form behind [ {label} ]")

    def _fb_submit(self, user: str, view: dict[str, Any], values: dict[str, Any], said: str) -> list[Call]:
        self.term.narrate(f"{self.term.name(user)} {said} and presses [ {view['submit']['text']} ]")
        self.reply(self.rig.submit(user, view, values), user)
        return self.show(user)

    def _fb_said(self, calls: list[Call], user: str, words: str) -> bool:
        return any(words in str(c.params) for c in self.dms_to(calls, user))

    # -- scenes ----------------------------------------------------------------

    def talk_scheduled(self) -> None:
        self.scene(dec(2, 10, 45), "Lena schedules Alice's feedback talk on November's review")
        self.term.narrate(f"Lena types in {self.term.channel(GROWTH)}:  /opsbot talk @Alice")
        self.reply(self.rig.command(LEAD, "/opsbot", f"talk <@{ALICE}>", channel=GROWTH), LEAD)
        view = self.form(self.show(LEAD), "the schedule form")
        if view is None:
            return
        fresh = self._fb_submit(LEAD, view, {"fb_talk_at": TALK_AT, "fb_talk_place": PLACE},
                             "picks Tuesday 8 December, 15:00, “Room 3, or the Zoom link in the invite”,")
        when = "2026-12-08 15:00 (Asia/Shanghai)"
        self.check(self._fb_said(fresh, LEAD, when) and self._fb_said(fresh, ALICE, when), "both told the talk's time")
        self.term.note("Each hears the time in their own zone (Alice and Lena are both in Shanghai); "
                       "nothing of the talk reaches #growth or a colleague.")

    def wang_has_no_review_to_talk_about(self) -> None:
        self.scene(dec(2, 10, 50), "Meanwhile in 品牌组: 王芳 would schedule 李梅's talk, in Chinese")
        self.term.narrate(f"王芳 types in {self.term.channel(BRAND)}:  /opsbot talk @李梅")
        r = self.rig.command(WANG, "/opsbot", f"talk <@{MEI}>", channel=BRAND)
        self.reply(r, WANG)
        self.check("还没有已评价的考核" in r.body, "王芳 told 李梅 has no evaluated review")
        self.term.note("A talk is about an evaluated monthly review: 李梅's November is not evaluated, "
                       "so nothing is stored.")

    def talk_day_reminder(self) -> None:
        self.scene(dec(8, 10), "Tuesday, the talk's day: the reminder, at 10:00 where each of them is")
        self.run_job("talk-reminder")
        fresh = self.show()
        self.check(self._fb_said(fresh, ALICE, "Reminder") and self._fb_said(fresh, LEAD, "Record notes"),
                   "both reminded; Lena's reminder offers Record notes")

    def talk_notes_recorded(self) -> None:
        self.scene(dec(8, 15, 50), "After the talk, Lena records the notes and an improvement plan")
        view = self._fb_open(LEAD, "talk_record", "Record notes")
        if view is None:
            return
        fresh = self._fb_submit(LEAD, view, {
            "fb_notes": NOTES, "fb_item_1_text": FIRST_ITEM, "fb_item_1_owner": ALICE, "fb_item_1_due": FIRST_DUE,
            "fb_item_2_text": SECOND_ITEM, "fb_item_2_owner": LEAD, "fb_item_2_due": SECOND_DUE},
            f"writes the notes, and two items: “{FIRST_ITEM}” (Alice, by {FIRST_DUE}) and "
            f"“{SECOND_ITEM}” (herself, by {SECOND_DUE}),")
        self.check(self._fb_said(fresh, ALICE, "Acknowledge"), "Alice's notes DM with Acknowledge / Object")

    def alice_acknowledges_the_plan(self) -> None:
        self.scene(dec(8, 17), "Alice acknowledges the notes and the plan")
        dm = self._fb_dm(ALICE, "talk_acknowledge")
        if not self.check(dm is not None, "Alice's notes DM"):
            return
        assert dm is not None
        fresh = self.press(ALICE, dm, "talk_acknowledge", "Acknowledge")
        self.check(self._fb_said(fresh, LEAD, "acknowledged the notes"), "Lena told Alice acknowledged")
        self.term.note("Had Alice objected, Lena could revise the plan: a new version, the old one kept. "
                       "The open items are on both Homes, and the next self-review carries them.")

    def improvement_not_yet(self) -> None:
        self.scene(dec(14, 10), "Monday, Alice's item is due: the follow-up asks Done or Not yet")
        sent = self.run_job("improvement-followup")
        fresh = self.show()
        self.check([r for r, _ in sent] == [ALICE] and self._fb_said(fresh, ALICE, "Is it done?"), "Alice asked")
        view = self._fb_open(ALICE, "improvement_not_yet", "Not yet", FIRST_ITEM)
        if view is None:
            return
        self._fb_submit(ALICE, view, {"fb_followup_comment": NOT_YET, "fb_followup_due": NEW_DUE},
                     f"writes “{NOT_YET}”, picks {NEW_DUE}")
        self.term.note("The item stays open with her comment; she is asked again on the new date.")

    def improvement_done(self) -> None:
        self.scene(dec(18, 10), "Friday: both items are due; Alice's is done, and so is Lena's")
        sent = self.run_job("improvement-followup")
        self.show()
        self.check(sorted(r for r, _ in sent) == sorted([ALICE, LEAD]), "Alice and Lena asked")
        for user in (ALICE, LEAD):
            dm = self._fb_dm(user, "improvement_done")
            if not self.check(dm is not None, f"{user}'s follow-up"):
                return
            assert dm is not None
            fresh = self.press(user, dm, "improvement_done", "Done")
            self.check(any("the item is closed" in str(c.params) for c in fresh), "the item closed")
