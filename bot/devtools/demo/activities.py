"""The demo's activities act (docs/PRODUCT.md §2.3): an activity through a
request for changes and a second round to its approval, then, once it is
over, the retrospective.

In the story it plays from Monday 7 to Friday 11 December 2026
(Asia/Shanghai), its week shared with the leave act. It needs nothing from
the other acts.
"""

from __future__ import annotations

from bot.devtools.demo.stage import ALICE, BOB, GROWTH, LEAD, SHANGHAI, Stage, button, dec
from bot.devtools.slack_standin import Call

# The livestream: Thursday 10 December, 19:00–21:00 in Shanghai.
LIVESTREAM = (dec(10, 19), dec(10, 21))


class ActivitiesAct(Stage):
    """An activity from its proposal to its retrospective."""

    ACT = "activities"
    BLURB = "an activity from its proposal to its retrospective"
    SCENES = ("activity_proposed", "activity_changes_requested", "activity_resubmitted", "activity_approved",
              "retrospective_asked_and_written")

    activity_card: Call | None = None

    # -- helpers ---------------------------------------------------------------

    def _track_activity_card(self, fresh: list[Call]) -> None:
        for c in fresh:
            if c.method in ("chat.postMessage", "chat.update") and c.params.get("channel") == GROWTH \
                    and "Activity #1" in str(c.params.get("text")):
                self.activity_card = c

    # -- the activity --------------------------------------------------------------

    def activity_proposed(self) -> None:
        self.scene(dec(7, 12), "Alice proposes an activity with /activity")
        self.term.narrate(f"Alice types in {self.term.channel(GROWTH)}:  /activity")
        self.rig.command(ALICE, "/activity", "", channel=GROWTH)
        view = self.form(self.show(ALICE))
        if view is None:
            return
        self.term.narrate("Alice fills in: Double 12 livestream · Livestream · Thu 10 Dec 19:00–21:00 · "
                          "with Bob · targets 200 participants, 30 engagement, 12 conversion · studio and hosts")
        r = self.rig.submit(ALICE, view, {
            "activity_theme": "Double 12 livestream", "activity_format": "Livestream",
            "activity_start": LIVESTREAM[0], "activity_end": LIVESTREAM[1], "activity_participants": [BOB],
            "target_participants": 200, "target_engagement": 30, "target_conversion": 12,
            "activity_resources": "Studio for 3 hours, two hosts, ¥5,000 in vouchers",
        })
        self.reply(r, ALICE)
        fresh = self.show(ALICE)
        self._track_activity_card(fresh)
        card = self.activity_card
        self.check(card is not None and button(card, "activity_changes") is not None,
                   "the activity card with Approve / Request changes / Reject")

    def activity_changes_requested(self) -> None:
        self.scene(dec(7, 12, 30), "Lena asks for changes")
        if self.activity_card is None:
            return
        view = self.form(self.press(LEAD, self.activity_card, "activity_changes", "Request changes"))
        if view is None:
            return
        comment = "Aim for 300 participants: we are promoting it on all four platforms."
        self.term.narrate(f"Lena writes “{comment}” and presses [ Send ]")
        self.reply(self.rig.submit(LEAD, view, {"comment": comment}), LEAD)
        fresh = self.show(LEAD)
        self._track_activity_card(fresh)
        dm = next((c for c in self.dms_to(fresh, ALICE) if button(c, "activity_resubmit")), None)
        self.check(dm is not None, "Alice's DM with Resubmit")

    def activity_resubmitted(self) -> None:
        self.scene(dec(7, 13), "Alice resubmits from her DM: the form comes back filled in")
        dm = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                   if c.params.get("channel") == ALICE and button(c, "activity_resubmit")), None)
        if not self.check(dm is not None, "the Resubmit button"):
            return
        assert dm is not None
        view = self.form(self.press(ALICE, dm, "activity_resubmit", "Resubmit"))
        if view is None:
            return
        self.term.narrate("Alice changes only the participant target to 300 and presses [ Resubmit ]")
        self.reply(self.rig.submit(ALICE, view, {"target_participants": 300}), ALICE)
        fresh = self.show(ALICE)
        self._track_activity_card(fresh)
        self.check(self.activity_card is not None and self.activity_card.method == "chat.update",
                   "round 2 on the same card")

    def activity_approved(self) -> None:
        self.scene(dec(7, 13, 30), "Lena approves round 2")
        if self.activity_card is None:
            return
        fresh = self.press(LEAD, self.activity_card, "activity_approve", "Approve")
        self._track_activity_card(fresh)
        self.check(bool(self.dms_to(fresh, ALICE)), "Alice told it was approved")

    # -- the retrospective -----------------------------------------------------------------

    def retrospective_asked_and_written(self) -> None:
        # Alice's first retro-ask after the livestream (played alone, the act is still on Monday).
        at = self.next_reminder("retro-ask", SHANGHAI, after=max(self.rig.clock.now(), LIVESTREAM[1]))
        self.check(at == dec(11, 10), f"retro-ask next at {at}")
        self.scene(at, "Friday, the first working day after the livestream: Alice is asked for the retrospective")
        self.run_job("retro-ask")
        fresh = self.show()
        ask = next((c for c in self.dms_to(fresh, ALICE) if button(c, "write_retro")), None)
        if not self.check(ask is not None, "the retrospective ask"):
            return
        assert ask is not None
        view = self.form(self.press(ALICE, ask, "write_retro", "Write retrospective"))
        if view is None:
            return
        self.term.narrate("Alice enters 342 participants, 27.5 engagement, 15 conversion, and three short answers")
        self.reply(self.rig.submit(ALICE, view, {
            "actual_participants": 342, "actual_engagement": 27.5, "actual_conversion": 15,
            "retro_worked": "Cross-posting on all four platforms doubled sign-ups.",
            "retro_didnt": "The first 15 minutes were lost to audio problems.",
            "retro_improve": "A full technical rehearsal the day before.",
        }), ALICE)
        fresh = self.show(ALICE)
        self.check(any(c.params.get("channel") == GROWTH and "Retrospective" in str(c.params.get("text"))
                       for c in fresh if c.method == "chat.postMessage"), "the retrospective in #growth")
        self.run_job("retro-ask")
        self.check(not [c for c in self.show() if c.method == "chat.postMessage"], "no reminder once it is in")
