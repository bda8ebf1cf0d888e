"""The demo's content act (docs/PRODUCT.md §2.2): a draft goes two rounds, is
approved, published, asked about and its metrics updated.

In the story it follows the month-end, from Thursday 3 to Monday 7 December
2026 (Asia/Shanghai), moving the clock only forward. It needs nothing from
the other acts: its first scene proposes and approves the topic the draft is
written for.
"""

from __future__ import annotations

from typing import Any

from bot.devtools.demo.stage import ALICE, GROWTH, GROWTH_TEAM, LEAD, Stage, button, dec
from bot.devtools.slack_standin import Call, visible_text

TITLE = "Year-end roundup: our five best onboarding ideas"
CHECKED = ["accuracy", "professionalism", "interest", "brand_fit"]


class ContentAct(Stage):
    """The content workflow: review rounds, publication, metrics."""

    ACT = "content"
    BLURB = "a draft through two review rounds to publication and its metrics"
    SCENES = ("content_topic", "content_draft", "content_changes", "content_resubmit", "content_approve",
              "content_publish", "content_metrics_ask")

    draft_card: Call | None = None

    def prepare(self) -> None:
        self.term.narrate("Set-up: none; the first scene proposes and approves the topic the draft is for.")

    # -- helpers -----------------------------------------------------------------

    def slash(self, user: str, command: str, text: str = "") -> None:
        self.term.narrate(f"{self.term.name(user)} types in {self.term.channel(GROWTH)}:  {command} {text}".rstrip())
        self.reply(self.rig.command(user, command, text, channel=GROWTH), user)

    def fill(self, user: str, fresh: list[Call], values: dict[str, Any], said: str) -> None:
        view = self.form(fresh)
        if view is None:
            return
        self.term.narrate(said)
        self.reply(self.rig.submit(user, view, values), user)

    def watch(self, viewer: str) -> list[Call]:
        fresh = self.show(viewer)
        for c in fresh:
            if c.method in ("chat.postMessage", "chat.update") and c.ok and "Draft #" in str(c.params.get("text")) \
                    and not c.params.get("thread_ts"):
                self.draft_card = c
        return fresh

    # -- scenes ------------------------------------------------------------------

    def content_topic(self) -> None:
        self.scene(dec(3, 9), "Content: Alice proposes a year-end piece; Lena approves it")
        self.command(ALICE, TITLE, GROWTH)
        self.show(ALICE)
        card = next((c for c in self.cards.values() if TITLE in visible_text(c.params)), None)
        if self.check(card is not None, "the year-end topic's card"):
            self.click(LEAD, card, "topic_approve", "Approve")
            self.show(LEAD)

    def content_draft(self) -> None:
        self.scene(dec(3, 9, 30), "Alice submits her draft, with the self-review checklist")
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
        self.check(card is not None and button(card, "draft_request_changes") is not None,
                   "the review card with Approve / Request changes")

    def content_changes(self) -> None:
        self.scene(dec(3, 11), "Lena asks for changes (round 1)")
        assert self.draft_card is not None
        self.click(LEAD, self.draft_card, "draft_request_changes", "Request changes")
        fresh = self.show(LEAD)
        self.fill(LEAD, fresh, {"review_comment": "Lead with the strongest idea, and add last quarter's numbers."},
                  "Lena writes her comments and presses [ Send ]")
        fresh = self.watch(LEAD)
        self.check(any(c.params.get("channel") == ALICE and button(c, "draft_resubmit") for c in fresh),
                   "Alice's DM with Resubmit")

    def content_resubmit(self) -> None:
        self.scene(dec(3, 15), "Alice revises and resubmits: round 2")
        dm = next((c for c in reversed(self.rig.slack.calls("chat.postMessage"))
                   if c.params.get("channel") == ALICE and button(c, "draft_resubmit")), None)
        if not self.check(dm is not None, "the Resubmit DM"):
            return
        assert dm is not None
        self.click(ALICE, dm, "draft_resubmit", "Resubmit")
        fresh = self.show(ALICE)
        self.fill(ALICE, fresh, {"draft_link": "https://docs.example.com/d/year-end-v2", "draft_checklist": CHECKED},
                  "The form starts from the last link; Alice pastes the new one, ticks the checklist, [ Submit ]")
        self.watch(ALICE)
        self.check(self.draft_card is not None and "Round*\n2" in visible_text(self.draft_card.params),
                   "the card shows round 2")

    def content_approve(self) -> None:
        self.scene(dec(3, 16), "Lena approves round 2")
        assert self.draft_card is not None
        self.click(LEAD, self.draft_card, "draft_approve", "Approve")
        self.watch(LEAD)
        self.check(self.draft_card is not None and button(self.draft_card, "draft_approve") is None,
                   "the approved card has no buttons")
        self.term.note("The card was updated in place; the rounds and comments are replies in its thread.")

    def content_publish(self) -> None:
        self.scene(dec(4, 10, 30), "Friday: Alice publishes it and records the publication")
        self.slash(ALICE, "/publish")
        fresh = self.show(ALICE)
        self.fill(ALICE, fresh, {"pub_platform": "WeChat", "pub_url": "https://mp.example.com/s/year-end"},
                  "Alice picks WeChat, pastes the URL, keeps the publish time (now) and presses [ Save ]")
        fresh = self.watch(ALICE)
        self.check(any(c.params.get("channel") == ALICE and button(c, "update_metrics") for c in fresh),
                   "Alice's DM with Update metrics")

    def content_metrics_ask(self) -> None:
        # Published Friday: day 1 is Saturday, so the ask comes on Monday, the next working day, at 10:00
        # where Alice is (the job runs daily; Saturday's and Sunday's runs send nothing).
        for weekend_day in (5, 6):
            self.rig.clock.set(dec(weekend_day, 10))
            [report] = self.rig.app.jobs.run("metrics-ask", team=GROWTH_TEAM, now=self.rig.clock.now())
            self.check(not report.sent, f"no metrics ask on {weekend_day} Dec")
        self.scene(dec(7, 10), "Monday: the metrics ask (day 1 fell on the weekend)")
        sent = self.run_job("metrics-ask")
        fresh = self.show()
        ask = next((c for c in fresh if c.params.get("channel") == ALICE and button(c, "update_metrics")), None)
        if not self.check([r for r, _ in sent] == [ALICE] and ask is not None, "Alice is asked for metrics"):
            return
        assert ask is not None
        self.scene(dec(7, 10, 20), "Alice updates the metrics")
        self.click(ALICE, ask, "update_metrics", "Update metrics")
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
