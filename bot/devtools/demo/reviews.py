"""The demo's month-end (docs/PRODUCT.md §2.5): November's self-review
prompts, Alice's self-review, Lena's evaluation, Alice's objection and its
resolution.

In the story it follows the topics act, from Monday 30 November 2026 10:30
to Wednesday 2 December 18:00 in Shanghai (November's month-end day is
Monday 30th). Played alone, it first gives Alice a month of work: the
topics she proposed in the week of 23 November, one of them approved.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.devtools.demo.stage import ALICE, BOB, GROWTH, LEAD, NEW_YORK, SHANGHAI, START, Stage, button
from bot.devtools.slack_standin import Call

# What Alice proposed in the topics act, in its order; Lena approved the first.
ALICES_TOPICS = ("Short video series on onboarding", "Customer story: how Acme halved its onboarding time",
                 "Weekly KPI digest for the sales team")


class ReviewsAct(Stage):
    """The monthly review, with the right to object."""

    ACT = "reviews"
    BLURB = "November's month-end: a self-review, an evaluation, an objection"
    SCENES = ("month_end_prompts", "alice_writes_her_self_review", "lena_evaluates", "alice_objects",
              "lena_revises")

    def prepare(self) -> None:
        self.rig.clock.set(START.replace(minute=30))
        for title in ALICES_TOPICS:
            r = self.rig.command(ALICE, "/topic", title, channel=GROWTH)
            self.check(r.status == 200, f"the app answered HTTP {r.status}")
        self.offstage()
        card = self.cards.get(1)
        if self.check(card is not None, "topic #1's card"):
            assert card is not None
            approve = button(card, "topic_approve")
            r = self.rig.click(LEAD, "topic_approve", approve["value"] if approve else "", message=card)
            self.check(r.status == 200, f"the click answered HTTP {r.status}")
            self.offstage()
        self.rig.clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI))
        self.set_up("Alice proposed three topics on Monday 23 Nov and Lena approved #1; "
                    "now it is Monday 30 Nov, 10:30, November's month-end day.")

    # -- helpers -----------------------------------------------------------------

    def _latest_dm_with(self, user: str, action_id: str) -> Call | None:
        for c in reversed(self.rig.slack.calls("chat.postMessage")):
            if c.params.get("channel") != user:
                continue
            for b in c.params.get("blocks") or []:
                for el in b.get("elements", []) if b.get("type") == "actions" else []:
                    if el.get("action_id") == action_id:
                        return c
        return None

    def _review_press(self, user: str, action_id: str, label: str) -> Call | None:
        dm = self._latest_dm_with(user, action_id)
        if not self.check(dm is not None, f"a DM to {user} with [ {label} ]"):
            return None
        assert dm is not None
        return dm if self.click(user, dm, action_id, label).status == 200 else None

    def _submit(self, user: str, view: dict[str, Any], values: dict[str, Any], said: str) -> None:
        self.term.narrate(f"{self.term.name(user)} {said} and presses [ {view['submit']['text']} ]")
        self.reply(self.rig.submit(user, view, values), user)

    # -- scenes ---------------------------------------------------------------------

    def month_end_prompts(self) -> None:
        at = self.rig.clock.now() + timedelta(minutes=1)
        self.scene(at, "Month-end day: the self-review prompt, privately, to each member")
        sent = self.run_job("selfreview-open")
        fresh = self.show()
        self.check([r for r, _ in sent] == [ALICE] and bool(self.dms_to(fresh, ALICE)), "Alice's prompt")
        self.term.note("Review content only ever travels by DM or modal, to the member and the team's "
                       "supervisors. Bob's prompt waits for 10:00 in New York.")
        r = self.rig.command(BOB, "/opsbot", "reviews", channel=GROWTH)
        self.term.narrate("Bob types  /opsbot reviews  to see everyone's reviews")
        self.reply(r, BOB)
        self.check("Only a team's supervisors" in str((r.json() or {}).get("text")), "Bob refused and audited")
        ny = datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK)
        self.scene(ny, "Bob's prompt, at 10:00 in New York", zone=NEW_YORK, also=SHANGHAI)
        sent = self.run_job("selfreview-open")
        self.show()
        self.check([r for r, _ in sent] == [BOB], "Bob's prompt")
        self.check(LEAD not in [r for r, _ in sent], "supervisors get no prompt")

    def alice_writes_her_self_review(self) -> None:
        self.scene(datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI), "Alice writes her self-review")
        if self._review_press(ALICE, "review_write", "Write self-review") is None:
            return
        view = self.form(self.show(ALICE), "the self-review form")
        if view is None:
            return
        values = {
            "rv_achievements": "Onboarding video series approved and scripted; KPI digest for sales.",
            "rv_shortcomings": "The customer story was late; one title ran over 150 characters.",
            "rv_plan": "Draft outlines on Monday; check titles before sending.",
            "rv_score_performance": "88", "rv_score_ability": "80", "rv_score_attitude": "120",
        }
        self._submit(ALICE, view, values, "types her achievements, shortcomings and plan, scores herself 88 / 80 / 120,")
        self.term.note("The form stays open with everything she typed; only the attitude score needs fixing.")
        self._submit(ALICE, view, dict(values, rv_score_attitude="92"), "changes attitude to 92")
        fresh = self.show(ALICE)
        self.check(any(self._latest_dm_with(u, "review_evaluate") for u in {c.params.get("channel") for c in fresh}),
                   "the supervisor is asked to evaluate")

    def lena_evaluates(self) -> None:
        self.scene(datetime(2026, 12, 1, 11, 0, tzinfo=SHANGHAI), "Lena evaluates")
        if self._review_press(LEAD, "review_evaluate", "Evaluate") is None:
            return
        view = self.form(self.show(LEAD), "the evaluation form")
        if view is None:
            return
        self._submit(LEAD, view, {"rv_score_performance": "78", "rv_score_ability": "80", "rv_score_attitude": "90",
                                  "rv_comment": "Good month; the customer story slipped."},
                     "scores 78 / 80 / 90 with a comment")
        fresh = self.show(ALICE)
        result = self._latest_dm_with(ALICE, "review_object")
        self.check(result is not None and result in fresh, "Alice's result with Acknowledge / Object")
        self.term.note("Total = 60% × 78 + 20% × 80 + 20% × 90 = 80.80, grade A (the team's bands).")

    def alice_objects(self) -> None:
        self.scene(datetime(2026, 12, 1, 14, 0, tzinfo=SHANGHAI), "Alice objects")
        if self._review_press(ALICE, "review_object", "Object") is None:
            return
        view = self.form(self.show(ALICE), "the objection form")
        if view is None:
            return
        self._submit(ALICE, view, {"rv_reason": "The customer story slipped because the client moved the "
                                                "interview; my published reads beat the target."}, "gives her reason")
        self.show(ALICE)
        self.check(self._latest_dm_with(LEAD, "review_revise") is not None, "Lena asked to confirm or revise")

    def lena_revises(self) -> None:
        self.scene(datetime(2026, 12, 2, 10, 30, tzinfo=SHANGHAI), "Lena revises the result; it is final")
        if self._review_press(LEAD, "review_revise", "Revise result") is None:
            return
        view = self.form(self.show(LEAD), "the revision form")
        if view is None:
            return
        self._submit(LEAD, view, {"rv_score_performance": "84", "rv_score_ability": "80", "rv_score_attitude": "90",
                                  "rv_comment": "Good month.",
                                  "rv_resolution": "Fair point: the delay was the client's. Performance 84."},
                     "raises performance to 84 and answers the objection")
        fresh = self.show(ALICE)
        self.check(any("revised" in str(c.params.get("text")) for c in self.dms_to(fresh, ALICE)),
                   "Alice told the result was revised")
        self.term.narrate("Lena types  /opsbot reviews 2026-11  in the team channel: reviews come by DM only")
        self.reply(self.rig.command(LEAD, "/opsbot", "reviews 2026-11", channel=GROWTH), LEAD)
        fresh = self.show(LEAD)
        self.check(any("Reviews of" in str(c.params.get("text")) for c in self.dms_to(fresh, LEAD)),
                   "Lena gets the team's review statuses by DM")
        self.term.note("Every step is kept in the review's history and the audit log (`opsbot audit --item review:1`).")
