"""The demo's topics act (docs/PRODUCT.md §2.1): a week of topics in Growth,
from Alice's first proposal on Monday 23 November 2026 to Monday's content
plan, and a proposal in the Chinese team.

It needs the two teams, which the setup act has just made in the whole story;
played alone, it has them from the teams file, so it needs nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.devtools.demo.stage import (
    ALICE,
    BOB,
    BRAND,
    BRAND_TEAM,
    GROWTH,
    LEAD,
    MEI,
    NEW_YORK,
    QUIET,
    REFUSAL,
    SHANGHAI,
    START,
    Stage,
    button,
    buttons,
)
from bot.devtools.slack_standin import Call, visible_text
from storage.db import transaction
from storage.models import AuditEntry


class TopicsAct(Stage):
    """Proposals, a supervisor's decisions, reminders at 10:00 where each member is."""

    ACT = "topics"
    BLURB = "a week of topics: proposals, decisions, reminders"
    SCENES = ("alice_proposes", "alice_uses_the_form", "bob_tries_a_ping", "bob_is_not_a_supervisor",
              "lena_decides", "too_long", "thursday_reminder", "remind_me_later", "new_york_reminder",
              "friday_summary", "monday_plan", "chinese_team")

    def alice_proposes(self) -> None:
        self.scene(START.replace(minute=30), "Alice proposes a topic")
        self.command(ALICE, "Short video series on onboarding", GROWTH)
        self.show(ALICE)
        self.check(1 in self.cards and len(buttons(self.cards[1])) == 2, "topic #1's card with two buttons")

    def alice_uses_the_form(self) -> None:
        self.scene(START.replace(minute=35), "Alice opens the form for a second topic")
        self.command(ALICE, "", GROWTH)
        fresh = self.show(ALICE)
        opened = [c for c in fresh if c.method == "views.open"]
        if not self.check(bool(opened), "the propose form opened"):
            return
        values = {
            "title": "Customer story: how Acme halved its onboarding time",
            "angle": "Interview Acme's ops lead; before/after numbers; a 60-second cut for Xiaohongshu.",
            "platform": "WeChat",
            "publish_date": "2026-12-03",
        }
        self.term.narrate("Alice fills in Title, Angle, Platform = WeChat, Planned publish date = 2026-12-03, "
                          "and presses [ Submit ]")
        r = self.rig.submit(ALICE, opened[-1].response["view"], values)
        self.reply(r, ALICE)
        self.show(ALICE)
        self.check(2 in self.cards, "topic #2's card")

    def bob_tries_a_ping(self) -> None:
        self.scene(START.replace(minute=40), "Bob's title contains a channel ping", also=NEW_YORK)
        self.command(BOB, "<!channel> Black Friday recap: what worked", GROWTH)
        self.show(BOB)
        card = self.cards.get(3)
        if self.check(card is not None, "topic #3's card"):
            text = visible_text(card.params)
            escaped = "&lt;!channel&gt;" in text and "<!channel>" not in text
            if self.check(escaped, "the title reached Slack escaped"):
                self.term.note("Slack received the title as “&lt;!channel&gt; Black Friday recap…”: plain text, "
                               "so it shows as typed and pings nobody in #growth.")

    def bob_is_not_a_supervisor(self) -> None:
        self.scene(START.replace(minute=45), "Bob tries to approve Alice's topic")
        card = self.cards[1]
        self.click(BOB, card, "topic_approve", "Approve")
        fresh = self.show(BOB)
        said = any(REFUSAL in str(c.params.get("text")) for c in fresh if c.method == "response_url")
        updated = [c for c in fresh if c.method == "chat.update"]
        stored = self.rig.slack.message(GROWTH, str(card.response.get("ts"))) or {}
        self.check(said, "Bob was told why")
        with transaction(self.rig.app.db) as s:
            denied = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.outcome == "denied"))
        if self.check(not updated and len(buttons(Call("", stored, None, 200, True, {}))) == 2,
                      "the card is unchanged"):
            self.term.note(f"The card in #growth is unchanged (no update was sent; it still has its buttons), "
                           f"and the denied click is in the audit log ({denied} denied).")

    def lena_decides(self) -> None:
        self.scene(START.replace(minute=50), "Lena approves Alice's topic and rejects Bob's")
        self.click(LEAD, self.cards[1], "topic_approve", "Approve")
        fresh = self.show(LEAD)
        card = self.cards[1]
        self.check(card.method == "chat.update" and not buttons(card), "topic #1's card updated without buttons")
        self.check(bool(self.dms_to(fresh, ALICE)), "Alice's DM about #1")
        self.term.write("")
        self.click(LEAD, self.cards[3], "topic_reject", "Reject")
        fresh = self.show(LEAD)
        opened = [c for c in fresh if c.method == "views.open"]
        if not self.check(bool(opened), "the reject form opened"):
            return
        reason = "Timely, but we covered Black Friday last week. Pitch the January sale instead?"
        self.term.narrate(f"Lena types the reason “{reason}” and presses [ Reject ]")
        r = self.rig.submit(LEAD, opened[-1].response["view"], {"reason": reason})
        self.reply(r, LEAD)
        fresh = self.show(LEAD)
        self.check(not buttons(self.cards[3]) and bool(self.dms_to(fresh, BOB)), "topic #3 rejected, Bob told")

    def too_long(self) -> None:
        self.scene(START.replace(minute=55), "A title over 150 characters")
        title = ("Everything we learned from a year of onboarding experiments: twelve tests, the numbers, "
                 "what failed, and what we would run again next quarter — and why")
        self.check(len(title) == 151, f"the long title has {len(title)} characters, not 151")
        r = self.command(ALICE, title, GROWTH)
        fresh = self.show(ALICE)
        body = r.json() or {}  # the ack, or the reply through response_url
        if self.check("151" in str(body.get("text")) and not any(c.method == "chat.postMessage" for c in fresh),
                      "the 151-character title refused, nothing posted"):
            self.term.note("Nothing was saved or posted, and what Alice typed comes back to her to copy.")

    def thursday_reminder(self) -> None:
        at = self.next_run("quota-reminder")
        self.check(at == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI), f"quota-reminder next at {at}")
        self.scene(at, "The Thursday quota reminder, at 10:00 where each member is", also=NEW_YORK)
        sent = self.run_job("quota-reminder")
        fresh = self.show()
        self.check([r for r, _ in sent] == [ALICE], "only Alice is reminded at 10:00 Shanghai")
        self.check(bool(self.dms_to(fresh, ALICE)) and not self.dms_to(fresh, BOB), "Alice's reminder, not Bob's")
        self.term.note("Bob gets his at 10:00 in New York: it is Wednesday evening there.")

    def remind_me_later(self) -> None:
        reminder = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                         if c.params.get("channel") == ALICE and button(c, "remind_later")), None)
        if not self.check(reminder is not None, "Alice's reminder has Remind me later"):
            return
        assert reminder is not None
        self.scene(self.rig.clock.now() + timedelta(minutes=5), "Alice snoozes it")
        self.click(ALICE, reminder, "remind_later", "Remind me later")
        self.show(ALICE)
        self.scene(self.rig.clock.now() + timedelta(hours=3), "Three hours later, the reminder comes back")
        back = self.rig.app.jobs.run_snoozes()
        self.term.narrate(f"The scheduler's once-a-minute snooze check brings back {back} "
                          f"reminder{'' if back == 1 else 's'}.")
        fresh = self.show()
        again = self.dms_to(fresh, ALICE)
        self.check(bool(again), "the snoozed reminder came back")
        if again and button(again[-1], "propose_topic"):
            self.click(ALICE, again[-1], "propose_topic", "Propose a topic")
            fresh = self.show(ALICE)
            opened = [c for c in fresh if c.method == "views.open"]
            if self.check(bool(opened), "the propose form opened from the reminder"):
                self.term.narrate("Alice sends a third idea: “Weekly KPI digest for the sales team” (Website)")
                self.reply(self.rig.submit(ALICE, opened[-1].response["view"], {
                    "title": "Weekly KPI digest for the sales team", "platform": "Website"}), ALICE)
                self.show(ALICE)

    def new_york_reminder(self) -> None:
        at = self.next_run("quota-reminder")
        self.check(at == datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK), f"quota-reminder next at {at}")
        self.scene(at, "Bob's reminder, at 10:00 in New York", zone=NEW_YORK, also=SHANGHAI)
        sent = self.run_job("quota-reminder")
        fresh = self.show()
        self.check([r for r, _ in sent] == [BOB] and bool(self.dms_to(fresh, BOB)), "Bob's reminder")
        self.term.write("")
        self.term.narrate("The same job runs again for the same week (a restart's catch-up, a second replica)")
        sent = self.run_job("quota-reminder")
        fresh = self.show()
        if self.check(not sent and not [c for c in fresh if c.method not in QUIET], "nothing sent twice"):
            self.term.note("Nothing is sent twice: each (job, person, week) is claimed once in the database.")

    def friday_summary(self) -> None:
        at = self.next_run("quota-summary")
        self.check(at == datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI), f"quota-summary next at {at}")
        self.scene(at, "Friday: the week's quota summary in #growth")
        self.run_job("quota-summary")
        fresh = self.show()
        self.check(any(c.method == "chat.postMessage" and c.params.get("channel") == GROWTH for c in fresh),
                   "the summary in #growth")

    def monday_plan(self) -> None:
        at = self.next_run("weekly-plan")
        self.check(at == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI), f"weekly-plan next at {at}")
        self.scene(at, "Monday: the new week's content plan")
        self.run_job("weekly-plan")
        fresh = self.show()
        self.check(any(c.method == "chat.postMessage" and c.params.get("channel") == GROWTH for c in fresh),
                   "the plan in #growth")

    def chinese_team(self) -> None:
        self.scene(self.rig.clock.now() + timedelta(minutes=30), f"Meanwhile in {BRAND_TEAM} (#brand), in Chinese")
        self.command(MEI, "双十二直播：三款新品现场试用", BRAND)
        fresh = self.show(MEI)
        card = next((c for c in fresh if c.method == "chat.postMessage" and c.params.get("channel") == BRAND), None)
        self.check(card is not None and [b["text"]["text"] for b in buttons(card)] == ["通过", "驳回"],
                   "the 品牌组 card with 通过 / 驳回")
