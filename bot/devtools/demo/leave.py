"""The demo's leave act (docs/PRODUCT.md §2.4): Bob asks for Thursday off and
Lena approves; Thursday's quota reminder reaches Alice but not Bob, who gets
his on his first day back.

In the story it shares the week of Monday 7 December 2026 with the
activities act. It needs nothing from the other acts.
"""

from __future__ import annotations

from bot.devtools.demo.stage import ALICE, BOB, GROWTH, LEAD, NEW_YORK, SHANGHAI, Stage, button, dec


class LeaveAct(Stage):
    """Leave, and the reminders it silences."""

    ACT = "leave"
    BLURB = "a day of leave, and the reminder it holds back"
    SCENES = ("bob_requests_leave", "thursday_reminder_with_bob_away", "bob_reminded_when_back")

    def bob_requests_leave(self) -> None:
        self.scene(dec(7, 14), "Bob asks for Thursday off with /leave; Lena approves", also=NEW_YORK)
        self.term.narrate(f"Bob types in {self.term.channel(GROWTH)}:  /leave")
        self.rig.command(BOB, "/leave", "", channel=GROWTH)
        view = self.form(self.show(BOB))
        if view is None:
            return
        self.term.narrate("Bob picks Thursday 10 December as first and last day, reason “Moving house”")
        self.reply(self.rig.submit(BOB, view, {
            "leave_start": "2026-12-10", "leave_end": "2026-12-10", "leave_reason": "Moving house"}), BOB)
        fresh = self.show(BOB)
        card = next((c for c in fresh if c.method == "chat.postMessage" and c.params.get("channel") == GROWTH
                     and button(c, "leave_approve")), None)
        if not self.check(card is not None, "the leave card"):
            return
        assert card is not None
        fresh = self.press(LEAD, card, "leave_approve", "Approve")
        self.check(bool(self.dms_to(fresh, BOB)), "Bob told his leave is approved")

    def thursday_reminder_with_bob_away(self) -> None:
        self.scene(dec(10, 10), "Thursday: the quota reminder reaches Alice; Bob is on leave", also=NEW_YORK)
        self.run_job("quota-reminder")
        fresh = self.show()
        self.check(bool(self.dms_to(fresh, ALICE)), "Alice's quota reminder")
        self.scene(dec(10, 10, zone=NEW_YORK), "10:00 in New York: Bob's reminder day, but he is on leave",
                   zone=NEW_YORK, also=SHANGHAI)
        sent = self.run_job("quota-reminder")
        fresh = self.show()
        if self.check(not sent and not self.dms_to(fresh, BOB), "no reminder to Bob on his leave day"):
            self.term.note("Nothing is claimed for Bob, so the reminder is still his to get when he is back.")

    def bob_reminded_when_back(self) -> None:
        at = self.next_reminder("quota-reminder", NEW_YORK)
        self.check(at == dec(11, 10, zone=NEW_YORK), f"quota-reminder next at {at}")
        self.scene(at, "Friday 10:00 in New York: Bob is back, and his quota reminder comes now", zone=NEW_YORK,
                   also=SHANGHAI)
        self.run_job("quota-reminder")
        fresh = self.show()
        self.check(bool(self.dms_to(fresh, BOB)), "Bob's reminder on his first day back")
