"""``opsbot demo``: a scripted week in the terminal, with no Slack workspace.

The real app runs on SQLite and is served over HTTP on 127.0.0.1 (the same
rig the end-to-end tests use); every command, click and form submission goes
in as a Slack-signed request, and every Web API call goes out to the local
Slack stand-in, which records it. Scheduled jobs run as the scheduler runs
them, with the clock moved forward between scenes. What the stand-in
recorded is printed the way people would see it in Slack.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.devtools.demo_activities import ActivityScenes
from bot.devtools.demo_content import ContentScenes
from bot.devtools.demo_reviews import ReviewScenes
from bot.devtools.rig import Reply, Rig
from bot.devtools.slack_standin import Call, visible_text
from bot.devtools.terminal import Terminal, zone_label
from storage.db import transaction
from storage.models import AuditEntry, OutboxNotice

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 23 November 2026, 09:00 in Shanghai: the start of a working week.
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)

LEAD, ALICE, BOB = "U0LEAD", "U0ALICE", "U0BOB"
WANG, MEI = "U0WANG", "U0MEI"
GROWTH, BRAND = "C0GROWTH", "C0BRAND"
GROWTH_TEAM, BRAND_TEAM = "Growth", "品牌组"

TEAMS: dict[str, Any] = {
    "admins": [LEAD],
    "teams": [
        {
            "name": GROWTH_TEAM,
            "channel": GROWTH,
            "timezone": "Asia/Shanghai",
            "country": "CN",
            "locale": "en",
            "weekly_topic_quota": 3,
            "supervisors": [LEAD],
            "members": [ALICE, BOB],
            "platforms": ["WeChat", "Weibo", "Xiaohongshu", "Website"],
        },
        {
            "name": BRAND_TEAM,
            "channel": BRAND,
            "timezone": "Asia/Shanghai",
            "country": "CN",
            "locale": "zh-CN",
            "weekly_topic_quota": 2,
            "supervisors": [WANG],
            "members": [MEI],
            "platforms": ["WeChat", "Xiaohongshu"],
        },
    ],
}

USERS: dict[str, dict[str, Any]] = {
    LEAD: {"name": "lena", "real_name": "Lena", "tz": "Asia/Shanghai", "locale": "en-US"},
    ALICE: {"name": "alice", "real_name": "Alice", "tz": "Asia/Shanghai", "locale": "en-US"},
    BOB: {"name": "bob", "real_name": "Bob", "tz": "America/New_York", "locale": "en-US"},
    WANG: {"name": "wang", "real_name": "王芳", "tz": "Asia/Shanghai", "locale": "zh-CN"},
    MEI: {"name": "mei", "real_name": "李梅", "tz": "Asia/Shanghai", "locale": "zh-CN"},
}
CHANNELS = {GROWTH: "growth", BRAND: "brand"}
CHANNEL_ZONES = {GROWTH: "Asia/Shanghai", BRAND: "Asia/Shanghai"}

REFUSAL = "Only a supervisor of this team can do that."
SUMMARY_PREFIX = "Done:"
# Calls that are plumbing, not something a person sees.
QUIET = {"auth.test", "users.info", "conversations.open"}


def stamp(when: datetime, zone: ZoneInfo = SHANGHAI) -> str:
    local = when.astimezone(zone)
    return f"{local:%A} {local.day} {local:%b}, {local:%H:%M} {zone.key}"


def _buttons(call: Call) -> list[dict[str, Any]]:
    blocks = call.params.get("blocks") or []
    return [el for b in blocks if isinstance(b, dict) and b.get("type") == "actions"
            for el in b.get("elements", []) if el.get("type") == "button"]


def _button(call: Call, action_id: str) -> dict[str, Any] | None:
    return next((b for b in _buttons(call) if b.get("action_id") == action_id), None)


class Demo(ReviewScenes, ContentScenes, ActivityScenes):
    """The scripted week. ``run()`` returns the exit code."""

    def __init__(self, *, database_url: str, out: TextIO | None = None, slow: bool = False,
                 color: bool | None = None, temporary: bool = False) -> None:
        self.database_url = database_url
        self.temporary = temporary
        self.slow = slow
        self.term = Terminal(users=USERS, channels=CHANNELS, channel_zones=CHANNEL_ZONES, out=out, color=color)
        self.rig = Rig(database_url=database_url, teams=TEAMS, start=START, users=USERS)
        self.seen = 0  # index into the stand-in's recorded calls
        self.delivered = 0
        self.problems: list[str] = []
        self.looked_up: set[str] = set()
        self.modals_shown: set[str] = set()
        self.cards: dict[int, Call] = {}  # topic id -> latest state of its card
        self.scenes = 0

    # -- plumbing ----------------------------------------------------------

    def check(self, ok: bool, what: str) -> bool:
        if not ok:
            self.problems.append(what)
            self.term.warn(f"unexpected: {what}")
        return ok

    def scene(self, when: datetime, title: str, zone: ZoneInfo = SHANGHAI, also: ZoneInfo | None = None) -> None:
        if self.slow and self.scenes:
            time.sleep(1.5)
        self.scenes += 1
        self.rig.clock.set(when)
        label = stamp(when, zone)
        if also is not None:
            label += f" ({when.astimezone(also):%H:%M %a} in {zone_label(also)})"
        self.term.heading(label, title)

    def new_calls(self) -> list[Call]:
        calls = self.rig.slack.all_calls()
        fresh, self.seen = calls[self.seen:], len(calls)
        return fresh

    def show(self, viewer: str | None = None) -> list[Call]:
        """Deliver what is due, as the outbox worker would, and print what
        reached Slack since the last look."""
        self.delivered += self.rig.deliver()
        fresh = self.new_calls()
        looked_up = [str(c.params.get("user")) for c in fresh if c.method == "users.info"]
        new_people = [u for u in dict.fromkeys(looked_up) if u not in self.looked_up]
        if new_people:
            self.looked_up.update(new_people)
            names = ", ".join(self.term.name(u) for u in new_people)
            self.term.write(self.term.style(f"  (opsbot looked up Slack profiles — zone, language — for {names})", "dim"))
        for c in fresh:
            if c.method in QUIET:
                continue
            self._remember_card(c)
            if c.method == "views.open":
                title = ((c.response.get("view") or {}).get("title") or {}).get("text", "")
                if title in self.modals_shown:
                    self.term.write(["", "  " + self.term.style(f"modal “{title}” opens for "
                                                                 f"{self.term.name(viewer or '')} (as above)", "bold")])
                    continue
                self.modals_shown.add(title)
            self.term.show(self.term.call(c, viewer=viewer))
            self.check(c.ok, f"Slack refused {c.method}: {c.response.get('error')}")
        return fresh

    def _remember_card(self, c: Call) -> None:
        if c.method not in ("chat.postMessage", "chat.update") or not c.ok:
            return
        approve = _button(c, "topic_approve")
        if approve is not None:
            self.cards[int(approve["value"])] = c
            return
        ts = c.response.get("ts")
        for topic_id, card in self.cards.items():
            if card.response.get("ts") == ts and card.response.get("channel") == c.response.get("channel"):
                self.cards[topic_id] = c

    def reply(self, r: Reply, viewer: str) -> None:
        """What Slack shows for the acknowledgement of a command or form."""
        self.check(r.status == 200, f"the app answered HTTP {r.status}")
        body = r.json() if r.body else None
        if isinstance(body, dict) and body.get("response_action") == "errors":
            lines = [self.term.style("the form stays open and shows:", "bold")]
            lines += [f"│ {field}: {msg}" for field, msg in body.get("errors", {}).items()]
            self.term.show(["", *("  " + line for line in lines)])
        elif isinstance(body, dict) and body.get("text"):
            self.term.show(["", *("  " + line for line in self.term.reply(body, viewer=viewer))])

    def command(self, user: str, text: str, channel: str) -> Reply:
        shown = f"/topic {text}".rstrip()
        self.term.narrate(f"{self.term.name(user)} types in {self.term.channel(channel)}:  {shown}")
        r = self.rig.command(user, "/topic", text, channel=channel)
        self.reply(r, user)
        return r

    def click(self, user: str, card: Call, action_id: str, label: str) -> Reply:
        self.term.narrate(f"{self.term.name(user)} presses [ {label} ]")
        button = _button(card, action_id)
        r = self.rig.click(user, action_id, button["value"] if button else "", message=card)
        self.check(r.status == 200, f"the click answered HTTP {r.status}")
        return r

    def run_job(self, name: str, *, team: str = GROWTH_TEAM) -> list[tuple[str, str]]:
        """Run a job as the scheduler does when it fires (not a manual run)."""
        [report] = self.rig.app.jobs.run(name, team=team, now=self.rig.clock.now())
        sent = ", ".join(self.term.name(r) if r.startswith("U") else self.term.channel(r) for r, _ in report.sent)
        line = f"The scheduler fires {name} for {team}: sent to {sent or 'nobody'}"
        for r, why in report.skipped:
            zone = self.term.zone_of(r)
            there = f": it is {self.rig.clock.now().astimezone(zone):%H:%M %a} in {zone_label(zone)}" if zone else ""
            line += f"; {self.term.name(r)} waits ({why}{there})"
        self.term.narrate(line + ".")
        return report.sent

    def next_run(self, job: str, team: str = GROWTH_TEAM) -> datetime:
        [nr] = self.rig.app.jobs.next_runs(self.rig.clock.now(), job=job, team=team)
        assert nr.at is not None, f"{job} has no next run"
        return nr.at

    def dms_to(self, calls: list[Call], user: str) -> list[Call]:
        return [c for c in calls if c.method == "chat.postMessage" and c.ok and c.params.get("channel") == user]

    # -- the week ------------------------------------------------------------

    def run(self) -> int:
        try:
            with _quiet_start():
                self.rig.start()
        except Exception as e:
            self.rig.stop()
            self.term.warn(f"opsbot could not start: {type(e).__name__}: {e}")
            return 1
        try:
            self.intro()
            for scene in (self.alice_proposes, self.alice_uses_the_form, self.bob_tries_a_ping,
                          self.bob_is_not_a_supervisor, self.lena_decides, self.too_long, self.thursday_reminder,
                          self.remind_me_later, self.new_york_reminder, self.friday_summary, self.monday_plan,
                          self.chinese_team, *self.reviews_scenes(), *self.content_scenes(),
                          *self.activities_scenes()):
                try:
                    scene()
                except Exception as e:  # later scenes build on this one: stop, and say so
                    self.check(False, f"{scene.__name__} stopped: {type(e).__name__}: {e}")
                    break
            return self.outro()
        finally:
            self.rig.stop()

    def intro(self) -> None:
        t = self.term
        t.write(t.style("opsbot demo — a scripted week, with no Slack workspace and no tokens", "bold"))
        t.write(t._wrap(
            f"The real app serves {self.rig.url}/slack/events, and every request below is signed the way "
            f"Slack signs. Its Web API calls go to a local stand-in for Slack ({self.rig.slack.api_url}) and "
            "are printed as people would see them. The clock is simulated and jumps between scenes.\n"
            f"Teams: {GROWTH_TEAM} (#growth, Asia/Shanghai, English, quota 3; supervisor Lena; Alice in "
            f"Shanghai, Bob in New York) and {BRAND_TEAM} (#brand, Chinese). Database: {self._db_label()}",
            "  ", "  "))
        # The same calendar warning for several teams is shown once.
        warnings: dict[str, list[str]] = {}
        for w in self.rig.app.warnings:
            team, sep, text = w.partition(": ")
            warnings.setdefault(text if sep else w, []).append(team.removeprefix("team ").strip("'") if sep else "")
        for text, teams in warnings.items():
            first = text.split(". ")[0].rstrip(".") + ". (`opsbot jobs list` prints the full advice.)"
            for line in t._wrap(f"start-up warning for {', '.join(x for x in teams if x)}: {first}", "  ", "    "):
                t.write(t.style(line, "yellow"))
        self.new_calls()  # start-up (auth.test) is not part of the story

    def _db_label(self) -> str:
        url = self.database_url
        if self.temporary:
            return "SQLite in a temporary directory, removed at the end."
        return (url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url) + "."

    def alice_proposes(self) -> None:
        self.scene(START.replace(minute=30), "Alice proposes a topic")
        self.command(ALICE, "Short video series on onboarding", GROWTH)
        self.show(ALICE)
        self.check(1 in self.cards and len(_buttons(self.cards[1])) == 2, "topic #1's card with two buttons")

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
        if self.check(not updated and len(_buttons(Call("", stored, None, 200, True, {}))) == 2,
                      "the card is unchanged"):
            self.term.note(f"The card in #growth is unchanged (no update was sent; it still has its buttons), "
                           f"and the denied click is in the audit log ({denied} denied).")

    def lena_decides(self) -> None:
        self.scene(START.replace(minute=50), "Lena approves Alice's topic and rejects Bob's")
        self.click(LEAD, self.cards[1], "topic_approve", "Approve")
        fresh = self.show(LEAD)
        card = self.cards[1]
        self.check(card.method == "chat.update" and not _buttons(card), "topic #1's card updated without buttons")
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
        self.check(not _buttons(self.cards[3]) and bool(self.dms_to(fresh, BOB)), "topic #3 rejected, Bob told")

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
                         if c.params.get("channel") == ALICE and _button(c, "remind_later")), None)
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
        if again and _button(again[-1], "propose_topic"):
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
        self.check(card is not None and [b["text"]["text"] for b in _buttons(card)] == ["通过", "驳回"],
                   "the 品牌组 card with 通过 / 驳回")

    def outro(self) -> int:
        calls = self.rig.slack.all_calls()
        posts = Counter(
            (str(c.response.get("channel") or c.params.get("channel")), str(c.params.get("text")),
             json.dumps(c.params.get("blocks"), sort_keys=True, ensure_ascii=False))
            for c in calls if c.method == "chat.postMessage" and c.ok
        )
        duplicates = sum(n - 1 for n in posts.values())
        with transaction(self.rig.app.db) as s:
            waiting = s.scalar(select(func.count(OutboxNotice.id)).where(OutboxNotice.status != "delivered"))
        self.check(duplicates == 0, f"{duplicates} duplicate message(s)")
        self.check(waiting == 0, f"{waiting} notice(s) not delivered")
        t = self.term
        t.write("")
        line = (f"{SUMMARY_PREFIX} {len(calls)} Slack API calls recorded, {self.delivered} notices delivered, "
                f"{duplicates} duplicates, {waiting} waiting in the outbox.")
        if self.problems:
            t.write(t.style(f"{line} {len(self.problems)} thing(s) did not go as scripted (see ✗ above).", "yellow"))
            return 1
        t.write(t.style(line, "bold"))
        return 0


def _errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR


@contextmanager
def _quiet_start() -> Iterator[None]:
    """Start-up warnings are printed by the demo itself (the calendar's), or
    are noise here (Bolt noting that the token comes from ``authorize``).
    A filter, not a level: Bolt resets its loggers' levels when it starts."""
    loggers = [logging.getLogger(name) for name in ("slack_bolt.App", "bot.app")]
    for lg in loggers:
        lg.addFilter(_errors_only)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(_errors_only)


@contextmanager
def _database(database: str | None) -> Iterator[str]:
    if database is None:
        with tempfile.TemporaryDirectory(prefix="opsbot-demo-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'opsbot-demo.sqlite3'}"
        return
    if "://" in database:
        yield database
        return
    path = Path(database).expanduser().resolve()
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{path} already exists; the demo plays its week on a new database (pick another file)")
    path.parent.mkdir(parents=True, exist_ok=True)
    yield f"sqlite:///{path}"


def _utf8(out: TextIO) -> None:
    """Chinese titles and emoji must not crash a terminal with a narrow encoding."""
    enc = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    reconfigure = getattr(out, "reconfigure", None)
    if enc != "utf8" and reconfigure is not None:
        reconfigure(errors="replace")


def run_demo(database: str | None = None, slow: bool = False, out: TextIO | None = None) -> int:
    """Play the scripted week; 0 when everything went as scripted."""
    out = out if out is not None else sys.stdout
    _utf8(out)
    try:
        with _database(database) as url:
            code = Demo(database_url=url, out=out, slow=slow, temporary=database is None).run()
    except FileExistsError as e:
        print(f"opsbot demo: {e}", file=sys.stderr)
        return 2
    if code == 0 and database is not None:
        shown = database if "://" in database else f"sqlite:///{Path(database).expanduser().resolve()}"
        out.write(f"The database is kept: DATABASE_URL={shown} uv run opsbot audit   (or: outbox)\n")
    return code
