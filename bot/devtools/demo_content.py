"""The demo's content scenes (docs/PRODUCT.md §2.2): a draft goes two rounds, is
approved, published, asked about and its metrics updated.

Runs after the scripted week, from Thursday 3 to Monday 7 December 2026
(Asia/Shanghai), moving the clock only forward.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.devtools.slack_standin import Call, visible_text

if TYPE_CHECKING:
    from bot.devtools.demo import Demo as _Base
else:
    _Base = object

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAD, ALICE, GROWTH = "U0LEAD", "U0ALICE", "C0GROWTH"
TITLE = "Year-end roundup: our five best onboarding ideas"
CHECKED = ["accuracy", "professionalism", "interest", "brand_fit"]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def _button(call: Call, action_id: str) -> dict[str, Any] | None:
    blocks = call.params.get("blocks") or []
    return next((el for b in blocks if isinstance(b, dict) and b.get("type") == "actions"
                 for el in b.get("elements", []) if el.get("action_id") == action_id), None)


class ContentScenes(_Base):
    """Mixed into ``Demo``: the content workflow's scenes."""

    draft_card: Call | None = None

    def content_scenes(self) -> list:
        return [self.content_topic, self.content_draft, self.content_changes, self.content_resubmit,
                self.content_approve, self.content_publish, self.content_metrics_ask]

    # -- helpers -----------------------------------------------------------------

    def slash(self, user: str, command: str, text: str = "") -> None:
        self.term.narrate(f"{self.term.name(user)} types in {self.term.channel(GROWTH)}:  {command} {text}".rstrip())
        self.reply(self.rig.command(user, command, text, channel=GROWTH), user)

    def press(self, user: str, call: Call, action_id: str, label: str) -> None:
        self.term.narrate(f"{self.term.name(user)} presses [ {label} ]")
        b = _button(call, action_id)
        r = self.rig.click(user, action_id, b["value"] if b else "", message=call)
        self.check(r.status == 200, f"the click answered HTTP {r.status}")

    def fill(self, user: str, fresh: list[Call], values: dict[str, Any], said: str) -> None:
        opened = [c for c in fresh if c.method == "views.open"]
        if not self.check(bool(opened), "a form opened"):
            return
        self.term.narrate(said)
        self.reply(self.rig.submit(user, opened[-1].response["view"], values), user)

    def watch(self, viewer: str) -> list[Call]:
        fresh = self.show(viewer)
        for c in fresh:
            if c.method in ("chat.postMessage", "chat.update") and c.ok and "Draft #" in str(c.params.get("text")) \
                    and not c.params.get("thread_ts"):
                self.draft_card = c
        return fresh

    # -- scenes ------------------------------------------------------------------

    def content_topic(self) -> None:
        self.scene(_at(3, 9), "Content: Alice proposes a year-end piece; Lena approves it")
        self.command(ALICE, TITLE, GROWTH)
        self.show(ALICE)
        card = next((c for c in self.cards.values() if TITLE in visible_text(c.params)), None)
        if self.check(card is not None, "the year-end topic's card"):
            self.click(LEAD, card, "topic_approve", "Approve")
            self.show(LEAD)

    def content_draft(self) -> None:
        self.scene(_at(3, 9, 30), "Alice submits her draft, with the self-review checklist")
        self.slash(ALICE, "/draft")
        fresh = self.show(ALICE)
        topic = next((o["value"] for c in fresh if c.method == "views.open" for b in c.response["view"]["blocks"]
                      if b.get("block_id") == "draft_topic" for o in b["element"]["options"]
                      if TITLE in o["text"]["text"]), None)
        self.fill(ALICE, fresh, {"draft_topic": topic, "draft_link": "https://docs.example.com/d/year-end-v1",
                                 "draft_checklist": CHECKED},
                  "Alice picks the year-end topic, pastes the link, ticks all four self-review items, [ Submit ]")
        self.watch(ALICE)
        card = self.draft_card
        self.check(card is not None and _button(card, "draft_request_changes") is not None,
                   "the review card with Approve / Request changes")

    def content_changes(self) -> None:
        self.scene(_at(3, 11), "Lena asks for changes (round 1)")
        assert self.draft_card is not None
        self.press(LEAD, self.draft_card, "draft_request_changes", "Request changes")
        fresh = self.show(LEAD)
        self.fill(LEAD, fresh, {"review_comment": "Lead with the strongest idea, and add last quarter's numbers."},
                  "Lena writes her comments and presses [ Send ]")
        fresh = self.watch(LEAD)
        self.check(any(c.params.get("channel") == ALICE and _button(c, "draft_resubmit") for c in fresh),
                   "Alice's DM with Resubmit")

    def content_resubmit(self) -> None:
        self.scene(_at(3, 15), "Alice revises and resubmits: round 2")
        dm = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                   if c.params.get("channel") == ALICE and _button(c, "draft_resubmit")), None)
        if not self.check(dm is not None, "the Resubmit DM"):
            return
        assert dm is not None
        self.press(ALICE, dm, "draft_resubmit", "Resubmit")
        fresh = self.show(ALICE)
        self.fill(ALICE, fresh, {"draft_link": "https://docs.example.com/d/year-end-v2", "draft_checklist": CHECKED},
                  "The form starts from the last link; Alice pastes the new one, ticks the checklist, [ Submit ]")
        self.watch(ALICE)
        self.check(self.draft_card is not None and "Round*\n2" in visible_text(self.draft_card.params),
                   "the card shows round 2")

    def content_approve(self) -> None:
        self.scene(_at(3, 16), "Lena approves round 2")
        assert self.draft_card is not None
        self.press(LEAD, self.draft_card, "draft_approve", "Approve")
        self.watch(LEAD)
        self.check(self.draft_card is not None and _button(self.draft_card, "draft_approve") is None,
                   "the approved card has no buttons")
        self.term.note("The card was updated in place; the rounds and comments are replies in its thread.")

    def content_publish(self) -> None:
        self.scene(_at(4, 10, 30), "Friday: Alice publishes it and records the publication")
        self.slash(ALICE, "/publish")
        fresh = self.show(ALICE)
        self.fill(ALICE, fresh, {"pub_platform": "WeChat", "pub_url": "https://mp.example.com/s/year-end"},
                  "Alice picks WeChat, pastes the URL, keeps the publish time (now) and presses [ Save ]")
        fresh = self.watch(ALICE)
        self.check(any(c.params.get("channel") == ALICE and _button(c, "update_metrics") for c in fresh),
                   "Alice's DM with Update metrics")

    def content_metrics_ask(self) -> None:
        # Published Friday: day 1 is Saturday, so the ask comes on Monday, the next working day, at 10:00
        # where Alice is (the job runs daily; Saturday's and Sunday's runs send nothing).
        for weekend_day in (5, 6):
            self.rig.clock.set(_at(weekend_day, 10))
            [report] = self.rig.app.jobs.run("metrics-ask", team="Growth", now=self.rig.clock.now())
            self.check(not report.sent, f"no metrics ask on {weekend_day} Dec")
        self.scene(_at(7, 10), "Monday: the metrics ask (day 1 fell on the weekend)")
        sent = self.run_job("metrics-ask")
        fresh = self.show()
        ask = next((c for c in fresh if c.params.get("channel") == ALICE and _button(c, "update_metrics")), None)
        if not self.check([r for r, _ in sent] == [ALICE] and ask is not None, "Alice is asked for metrics"):
            return
        assert ask is not None
        self.scene(_at(7, 10, 20), "Alice updates the metrics")
        self.press(ALICE, ask, "update_metrics", "Update metrics")
        fresh = self.show(ALICE)
        figures = {"metric_reads": "4210", "metric_likes": "-8", "metric_comments": "37", "metric_shares": "12"}
        self.fill(ALICE, fresh, figures, "Alice types 4210 reads, -8 likes (a slip), 37 comments, 12 shares, [ Save ]")
        opened = [c for c in fresh if c.method == "views.open"]
        if opened:
            self.term.narrate("She fixes likes to 86 and presses [ Save ] again")
            r = self.rig.submit(ALICE, opened[-1].response["view"], {**figures, "metric_likes": "86"})
            body = r.json() if r.body else {}
            saved = body.get("response_action") == "update"
            if self.check(saved, "the figures were saved"):
                shown = body["view"]["blocks"][0]["text"]["text"]
                self.term.note(f"The form now shows “{shown}”; each update is kept with its time.")
