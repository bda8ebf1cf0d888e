"""``opsbot demo`` scenes for activities and leave (docs/PRODUCT.md §2.3, §2.4):
an activity through a request for changes to its retrospective, and a
member on leave who is not reminded while a colleague is.

They play after the topic week, from Monday 7 to Friday 11 December 2026,
moving the clock only forward.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.devtools.slack_standin import Call

if TYPE_CHECKING:
    from bot.devtools.demo import Demo as _Base
else:
    _Base = object

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LEAD, ALICE, BOB = "U0LEAD", "U0ALICE", "U0BOB"
GROWTH = "C0GROWTH"


def _at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


def _button(call: Call, action_id: str) -> dict[str, Any] | None:
    blocks = call.params.get("blocks") or []
    return next((el for b in blocks if isinstance(b, dict) and b.get("type") == "actions"
                 for el in b.get("elements", []) if el.get("action_id") == action_id), None)


class ActivityScenes(_Base):
    activity_card: Call | None = None

    def activities_scenes(self) -> list:
        return [self.activity_proposed, self.activity_changes_requested, self.activity_resubmitted,
                self.activity_approved, self.bob_requests_leave, self.thursday_reminder_with_bob_away,
                self.retrospective_asked_and_written, self.bob_reminded_when_back]

    # -- helpers ---------------------------------------------------------------

    def _modal(self, fresh: list[Call]) -> dict[str, Any] | None:
        opened = [c for c in fresh if c.method == "views.open"]
        return opened[-1].response["view"] if self.check(bool(opened), "a form opened") else None

    def _track_activity_card(self, fresh: list[Call]) -> None:
        for c in fresh:
            if c.method in ("chat.postMessage", "chat.update") and c.params.get("channel") == GROWTH \
                    and "Activity #1" in str(c.params.get("text")):
                self.activity_card = c

    def _press(self, user: str, call: Call, action_id: str, label: str) -> list[Call]:
        self.term.narrate(f"{self.term.name(user)} presses [ {label} ]")
        b = _button(call, action_id)
        r = self.rig.click(user, action_id, b["value"] if b else "", message=call)
        self.check(r.status == 200, f"the click answered HTTP {r.status}")
        return self.show(user)

    # -- the activity --------------------------------------------------------------

    def activity_proposed(self) -> None:
        self.scene(_at(7, 12), "Alice proposes an activity with /activity")
        self.term.narrate(f"Alice types in {self.term.channel(GROWTH)}:  /activity")
        self.rig.command(ALICE, "/activity", "", channel=GROWTH)
        view = self._modal(self.show(ALICE))
        if view is None:
            return
        self.term.narrate("Alice fills in: Double 12 livestream · Livestream · Thu 10 Dec 19:00–21:00 · "
                          "with Bob · targets 200 participants, 30 engagement, 12 conversion · studio and hosts")
        r = self.rig.submit(ALICE, view, {
            "activity_theme": "Double 12 livestream", "activity_format": "Livestream",
            "activity_start": _at(10, 19), "activity_end": _at(10, 21), "activity_participants": [BOB],
            "target_participants": 200, "target_engagement": 30, "target_conversion": 12,
            "activity_resources": "Studio for 3 hours, two hosts, ¥5,000 in vouchers",
        })
        self.reply(r, ALICE)
        fresh = self.show(ALICE)
        self._track_activity_card(fresh)
        card = self.activity_card
        self.check(card is not None and _button(card, "activity_changes") is not None,
                   "the activity card with Approve / Request changes / Reject")

    def activity_changes_requested(self) -> None:
        self.scene(_at(7, 12, 30), "Lena asks for changes")
        if self.activity_card is None:
            return
        view = self._modal(self._press(LEAD, self.activity_card, "activity_changes", "Request changes"))
        if view is None:
            return
        comment = "Aim for 300 participants: we are promoting it on all four platforms."
        self.term.narrate(f"Lena writes “{comment}” and presses [ Send ]")
        self.reply(self.rig.submit(LEAD, view, {"comment": comment}), LEAD)
        fresh = self.show(LEAD)
        self._track_activity_card(fresh)
        dm = next((c for c in self.dms_to(fresh, ALICE) if _button(c, "activity_resubmit")), None)
        self.check(dm is not None, "Alice's DM with Resubmit")

    def activity_resubmitted(self) -> None:
        self.scene(_at(7, 13), "Alice resubmits from her DM: the form comes back filled in")
        dm = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                   if c.params.get("channel") == ALICE and _button(c, "activity_resubmit")), None)
        if not self.check(dm is not None, "the Resubmit button"):
            return
        assert dm is not None
        view = self._modal(self._press(ALICE, dm, "activity_resubmit", "Resubmit"))
        if view is None:
            return
        self.term.narrate("Alice changes only the participant target to 300 and presses [ Resubmit ]")
        self.reply(self.rig.submit(ALICE, view, {"target_participants": 300}), ALICE)
        fresh = self.show(ALICE)
        self._track_activity_card(fresh)
        self.check(self.activity_card is not None and self.activity_card.method == "chat.update",
                   "round 2 on the same card")

    def activity_approved(self) -> None:
        self.scene(_at(7, 13, 30), "Lena approves round 2")
        if self.activity_card is None:
            return
        fresh = self._press(LEAD, self.activity_card, "activity_approve", "Approve")
        self._track_activity_card(fresh)
        self.check(bool(self.dms_to(fresh, ALICE)), "Alice told it was approved")

    # -- leave ------------------------------------------------------------------------

    def bob_requests_leave(self) -> None:
        self.scene(_at(7, 14), "Bob asks for Thursday off with /leave; Lena approves", also=NEW_YORK)
        self.term.narrate(f"Bob types in {self.term.channel(GROWTH)}:  /leave")
        self.rig.command(BOB, "/leave", "", channel=GROWTH)
        view = self._modal(self.show(BOB))
        if view is None:
            return
        self.term.narrate("Bob picks Thursday 10 December as first and last day, reason “Moving house”")
        self.reply(self.rig.submit(BOB, view, {"leave_start": "2026-12-10", "leave_end": "2026-12-10",
                                               "leave_reason": "Moving house"}), BOB)
        fresh = self.show(BOB)
        card = next((c for c in fresh if c.method == "chat.postMessage" and c.params.get("channel") == GROWTH
                     and _button(c, "leave_approve")), None)
        if not self.check(card is not None, "the leave card"):
            return
        assert card is not None
        fresh = self._press(LEAD, card, "leave_approve", "Approve")
        self.check(bool(self.dms_to(fresh, BOB)), "Bob told his leave is approved")

    def thursday_reminder_with_bob_away(self) -> None:
        self.scene(_at(10, 10), "Thursday: the quota reminder reaches Alice; Bob is on leave", also=NEW_YORK)
        self.run_job("quota-reminder")
        fresh = self.show()
        self.check(bool(self.dms_to(fresh, ALICE)), "Alice's quota reminder")
        self.scene(_at(10, 10, zone=NEW_YORK), "10:00 in New York: Bob's reminder day, but he is on leave",
                   zone=NEW_YORK, also=SHANGHAI)
        sent = self.run_job("quota-reminder")
        fresh = self.show()
        if self.check(not sent and not self.dms_to(fresh, BOB), "no reminder to Bob on his leave day"):
            self.term.note("Nothing is claimed for Bob, so the reminder is still his to get when he is back.")

    # -- the retrospective -----------------------------------------------------------------

    def retrospective_asked_and_written(self) -> None:
        at = self.next_run("retro-ask")
        self.check(at == _at(11, 10), f"retro-ask next at {at}")
        self.scene(at, "Friday, the first working day after the livestream: Alice is asked for the retrospective")
        self.run_job("retro-ask")
        fresh = self.show()
        ask = next((c for c in self.dms_to(fresh, ALICE) if _button(c, "write_retro")), None)
        if not self.check(ask is not None, "the retrospective ask"):
            return
        assert ask is not None
        view = self._modal(self._press(ALICE, ask, "write_retro", "Write retrospective"))
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

    def bob_reminded_when_back(self) -> None:
        at = self.next_run("quota-reminder")
        self.check(at == _at(11, 10, zone=NEW_YORK), f"quota-reminder next at {at}")
        self.scene(at, "Friday 10:00 in New York: Bob is back, and his quota reminder comes now", zone=NEW_YORK,
                   also=SHANGHAI)
        self.run_job("quota-reminder")
        fresh = self.show()
        self.check(bool(self.dms_to(fresh, BOB)), "Bob's reminder on his first day back")
