"""The demo's performance plan (docs/RULES.md §四(三)): before November's
reviews, Lena proposes Alice's plan for December in the targets modal —
built-in targets and two indicators of their own — Alice comments, Lena
revises, Alice agrees; in mid-December the plan-progress DM shows Alice
where she stands.

In the story the plan is agreed on Friday 27 November 2026 (Asia/Shanghai),
between the topics act's Thursday reminders and its Friday summary; the
progress DM comes on Tuesday 15 December, after the leave act. It needs
nothing from the other acts.
"""

from __future__ import annotations

from typing import Any

from bot.devtools.demo.stage import ALICE, GROWTH, LEAD, SHANGHAI, Stage, button, dec
from bot.devtools.slack_standin import Call

CUSTOM = ("Newsletter | 4 issues | sent by the 28th\n"
          "Community posts | 10 | each with an image")


def nov(day: int, hour: int, minute: int = 0) -> Any:
    return dec(day, hour, minute).replace(month=11)


class PlanAct(Stage):
    """A member's monthly plan, agreed before the month begins."""

    ACT = "plan"
    BLURB = "a member's performance plan: proposed, commented, revised, agreed; its mid-month progress"
    SCENES = ("plan_proposed", "alice_comments_on_the_plan", "lena_revises_the_plan", "alice_agrees_to_the_plan",
              "plan_progress_mid_month")

    # -- helpers -------------------------------------------------------------------

    def _plan_dm(self, user: str, action_id: str, label: str) -> Call | None:
        dm = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                   if c.params.get("channel") == user and button(c, action_id)), None)
        self.check(dm is not None, f"a DM to {self.term.name(user)} with [ {label} ]")
        return dm

    def _save_plan(self, view: dict[str, Any], reads: str, said: str) -> None:
        self.term.narrate(f"Lena {said} and presses [ {view['submit']['text']} ]")
        self.reply(self.rig.submit(LEAD, view, {"rv_target_topics_approved": "3", "rv_target_reads": reads,
                                                "rv_plan_indicators": CUSTOM}), LEAD)

    # -- scenes ----------------------------------------------------------------------

    def plan_proposed(self) -> None:
        self.scene(nov(27, 11), "Before the month ends, Lena proposes Alice's plan for December")
        self.term.narrate(f"Lena types in {self.term.channel(GROWTH)}:  /opsbot targets @Alice 2026-12")
        self.reply(self.rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2026-12", channel=GROWTH), LEAD)
        view = self.form(self.show(LEAD), "the plan form")
        if view is None:
            return
        self._save_plan(view, "10,000", "asks for 3 approved topics and 10,000 reads, adds a newsletter and "
                                        "community posts with their standards,")
        fresh = self.show(LEAD)
        dm = next((c for c in self.dms_to(fresh, ALICE) if button(c, "plan_agree")), None)
        self.check(dm is not None and button(dm, "plan_comment") is not None, "Alice's plan with Agree / Comment")
        self.term.note("The plan goes to Alice alone; Bob's is his own business, and Lena's.")

    def alice_comments_on_the_plan(self) -> None:
        self.scene(nov(27, 14), "Alice comments: 10,000 reads is a lot for December")
        dm = self._plan_dm(ALICE, "plan_comment", "Comment")
        if dm is None:
            return
        view = self.form(self.press(ALICE, dm, "plan_comment", "Comment"), "the comment form")
        if view is None:
            return
        comment = "10,000 reads is a lot with the holidays; 8,000 is within reach."
        self.term.narrate(f"Alice writes “{comment}” and presses [ {view['submit']['text']} ]")
        self.reply(self.rig.submit(ALICE, view, {"rv_plan_comment": comment}), ALICE)
        fresh = self.show(ALICE)
        self.check(any(button(c, "plan_revise") for c in self.dms_to(fresh, LEAD)), "Lena asked to revise")

    def lena_revises_the_plan(self) -> None:
        self.scene(nov(27, 15), "Lena revises: the form comes back with round 1 filled in")
        dm = self._plan_dm(LEAD, "plan_revise", "Revise plan")
        if dm is None:
            return
        view = self.form(self.press(LEAD, dm, "plan_revise", "Revise plan"), "the revision form")
        if view is None:
            return
        self._save_plan(view, "8,000", "lowers reads to 8,000")
        fresh = self.show(LEAD)
        self.check(any("round 2" in str(c.params) for c in self.dms_to(fresh, ALICE)), "round 2 sent to Alice")

    def alice_agrees_to_the_plan(self) -> None:
        self.scene(nov(27, 15, 30), "Alice agrees to round 2")
        dm = self._plan_dm(ALICE, "plan_agree", "Agree")
        if dm is None:
            return
        self.click(ALICE, dm, "plan_agree", "Agree")
        fresh = self.show(ALICE)
        self.check(any("agreed to their plan" in str(c.params) for c in self.dms_to(fresh, LEAD)),
                   "Lena told the plan is agreed")
        self.term.note("Both rounds are kept; December's self-review will show the plan beside the actuals.")

    def plan_progress_mid_month(self) -> None:
        # The job runs daily at 10:00 in each zone of the team; the 15th is the mid-month day.
        at = self.next_reminder("plan-progress", SHANGHAI, after=max(self.rig.clock.now(), dec(14, 12)))
        self.check(at == dec(15, 10), f"plan-progress next at {at}")
        self.scene(at, "Mid-December: where Alice stands against her plan")
        sent = self.run_job("plan-progress")
        fresh = self.show()
        self.check([r for r, _ in sent] == [ALICE] and bool(self.dms_to(fresh, ALICE)),
                   "Alice's mid-month progress, and nobody else's")
