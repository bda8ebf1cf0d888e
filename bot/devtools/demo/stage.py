"""The stage every act of ``opsbot demo`` plays on: the rig, the terminal, the
cast, the helpers the scenes use, the intro and the outro, and the plumbing
to run it (a database, quiet start-up, a terminal that takes UTF-8).

The real app runs on SQLite and is served over HTTP on 127.0.0.1 (the same
rig the end-to-end tests use); every command, click and form submission goes
in as a Slack-signed request, and every Web API call goes out to the local
Slack stand-in, which records it. Scheduled jobs run as the scheduler runs
them, with the clock moved forward between scenes. What the stand-in
recorded is printed the way people would see it in Slack.

The acts (``setup``, ``topics``, ``development``, ``plan``, ``reviews``, …:
see ``ACTS``) each subclass :class:`Stage`; this module imports none of them.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.devtools.rig import Reply, Rig
from bot.devtools.slack_standin import Call
from bot.devtools.terminal import Terminal, zone_label
from storage.db import transaction
from storage.models import OutboxNotice

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
        {"name": GROWTH_TEAM, "channel": GROWTH, "timezone": "Asia/Shanghai", "country": "CN", "locale": "en",
         "weekly_topic_quota": 3, "supervisors": [LEAD], "members": [ALICE, BOB],
         "platforms": ["WeChat", "Weibo", "Xiaohongshu", "Website"]},
        {"name": BRAND_TEAM, "channel": BRAND, "timezone": "Asia/Shanghai", "country": "CN", "locale": "zh-CN",
         "weekly_topic_quota": 2, "supervisors": [WANG], "members": [MEI],
         "platforms": ["WeChat", "Xiaohongshu"]},
    ],
}

USERS: dict[str, dict[str, Any]] = {
    LEAD: {"name": "lena", "real_name": "Lena", "tz": "Asia/Shanghai", "locale": "en-US", "is_admin": True},
    ALICE: {"name": "alice", "real_name": "Alice", "tz": "Asia/Shanghai", "locale": "en-US"},
    BOB: {"name": "bob", "real_name": "Bob", "tz": "America/New_York", "locale": "en-US"},
    WANG: {"name": "wang", "real_name": "王芳", "tz": "Asia/Shanghai", "locale": "zh-CN", "is_admin": True},
    MEI: {"name": "mei", "real_name": "李梅", "tz": "Asia/Shanghai", "locale": "zh-CN"},
}
CHANNELS = {GROWTH: "growth", BRAND: "brand"}
CHANNEL_ZONES = {GROWTH: "Asia/Shanghai", BRAND: "Asia/Shanghai"}


def form_values(team: dict[str, Any]) -> dict[str, Any]:
    """The setup modal's fields, keyed by block id, for a team of ``TEAMS``."""
    return {
        "team_name": team["name"], "team_channel": team["channel"], "team_supervisors": team["supervisors"],
        "team_members": team["members"], "timezone": team["timezone"], "country": team["country"],
        "locale": team["locale"], "weekly_topic_quota": str(team["weekly_topic_quota"]),
        "platforms": "\n".join(team["platforms"]),
    }

REFUSAL = "Only a supervisor of this team can do that."
SUMMARY_PREFIX = "Done:"
# Calls that are plumbing, not something a person sees.
QUIET = {"auth.test", "users.info", "conversations.open"}
# Reminders go out at 10:00 where each person is.
REMINDER_HOUR = 10
# ``opsbot demo --act all``: the whole story.
ALL = "all"

Scene = Callable[[], None]


def stamp(when: datetime, zone: ZoneInfo = SHANGHAI) -> str:
    local = when.astimezone(zone)
    return f"{local:%A} {local.day} {local:%b}, {local:%H:%M} {zone.key}"


def dec(day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    """A time in December 2026, where most of the story after the first week plays."""
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


def buttons(call: Call) -> list[dict[str, Any]]:
    blocks = call.params.get("blocks") or []
    return [el for b in blocks if isinstance(b, dict) and b.get("type") == "actions"
            for el in b.get("elements", []) if el.get("type") == "button"]


def button(call: Call, action_id: str) -> dict[str, Any] | None:
    return next((b for b in buttons(call) if b.get("action_id") == action_id), None)


class Stage:
    """What every act plays on. ``run()`` returns the exit code.

    An act sets ``ACT`` (its name for ``--act``), ``BLURB`` (one line for the
    intro), ``SCENES`` (the names of its scene methods, in order) and, when it
    needs something an earlier act would have left behind, ``prepare()``.
    ``TEAMS_FILE`` is what the app starts with: the two teams, unless the act
    sets them up in Slack itself; ``CAST`` says which in the intro.
    """

    ACT = ALL
    BLURB = "a scripted week"
    SCENES: tuple[str, ...] = ()
    TEAMS_FILE: dict[str, Any] = TEAMS
    CAST = (f"Teams, from a teams file: {GROWTH_TEAM} (#growth, Asia/Shanghai, English, quota 3; supervisor Lena; "
            f"Alice in Shanghai, Bob in New York) and {BRAND_TEAM} (#brand, Chinese).")

    def __init__(self, *, database_url: str, out: TextIO | None = None, slow: bool = False,
                 color: bool | None = None, temporary: bool = False) -> None:
        self.database_url = database_url
        self.temporary = temporary
        self.slow = slow
        self.term = Terminal(users=USERS, channels=CHANNELS, channel_zones=CHANNEL_ZONES, out=out, color=color)
        self.rig = Rig(database_url=database_url, teams=self.TEAMS_FILE, start=START, users=USERS)
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

    def offstage(self) -> list[Call]:
        """Like ``show()``, for an act's set-up: deliver what is due and take
        note of it (cards, profiles looked up), but print none of it."""
        self.delivered += self.rig.deliver()
        fresh = self.new_calls()
        self.looked_up.update(str(c.params.get("user")) for c in fresh if c.method == "users.info")
        for c in fresh:
            self._remember_card(c)
            self.check(c.ok, f"Slack refused {c.method}: {c.response.get('error')}")
        return fresh

    def _remember_card(self, c: Call) -> None:
        if c.method not in ("chat.postMessage", "chat.update") or not c.ok:
            return
        approve = button(c, "topic_approve")
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
        found = button(card, action_id)
        r = self.rig.click(user, action_id, found["value"] if found else "", message=card)
        self.check(r.status == 200, f"the click answered HTTP {r.status}")
        return r

    def press(self, user: str, call: Call, action_id: str, label: str) -> list[Call]:
        """Click, then show what the presser sees."""
        self.click(user, call, action_id, label)
        return self.show(user)

    def form(self, fresh: list[Call], what: str = "a form") -> dict[str, Any] | None:
        """The modal the last command or click opened."""
        opened = [c for c in fresh if c.method == "views.open"]
        return opened[-1].response["view"] if self.check(bool(opened), f"{what} opened") else None

    def run_job(self, name: str, *, team: str = GROWTH_TEAM) -> list[tuple[str, str]]:
        """Run a job as the scheduler does when it fires (not a manual run)."""
        [report] = self.rig.app.jobs.run(name, team=team, now=self.rig.clock.now())
        sent = ", ".join(self.term.name(r) if r.startswith("U") else self.term.channel(r)
                         for r in dict.fromkeys(r for r, _ in report.sent))  # Lena once for her two asks
        line = f"The scheduler fires {name} for {team}: sent to {sent or 'nobody'}"
        for r, why in report.skipped:
            zone = self.term.zone_of(r)
            there = f": it is {self.rig.clock.now().astimezone(zone):%H:%M %a} in {zone_label(zone)}" if zone else ""
            line += f"; {self.term.name(r)} waits ({why}{there})"
        self.term.narrate(line + ".")
        return report.sent

    def next_run(self, job: str, team: str = GROWTH_TEAM, *, after: datetime | None = None) -> datetime:
        [nr] = self.rig.app.jobs.next_runs(after or self.rig.clock.now(), job=job, team=team)
        assert nr.at is not None, f"{job} has no next run"
        return nr.at

    def next_reminder(self, job: str, zone: ZoneInfo, *, after: datetime | None = None) -> datetime:
        """The job's next run for people in ``zone``: a reminder job runs at 10:00
        in each zone of the team (its own, its members'), so the others' runs are skipped."""
        at = after or self.rig.clock.now()
        for _ in range(8):
            at = self.next_run(job, after=at)
            if at.astimezone(zone).hour == REMINDER_HOUR:
                break
        return at

    def dms_to(self, calls: list[Call], user: str) -> list[Call]:
        return [c for c in calls if c.method == "chat.postMessage" and c.ok and c.params.get("channel") == user]

    # -- the story -----------------------------------------------------------

    def prepare(self) -> None:
        """What this act needs from the acts before it, when it plays alone."""
        self.term.narrate("Set-up: none; this act needs nothing from the others.")

    def set_up(self, what: str) -> None:
        """The one line that says what ``prepare()`` did, off stage."""
        self.term.narrate(f"Set-up, by signed requests (not shown): {what}")

    def curtain(self) -> None:
        """Deliver and show what the act's last step sent (in the whole story, the next act shows it)."""
        self.show()

    def story(self) -> list[Scene]:
        """The act played alone: its set-up, its scenes, and what the last one sent."""
        return [self.prepare, *(getattr(self, name) for name in self.SCENES), self.curtain]

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
            for scene in self.story():
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
        played = "opsbot demo" if self.ACT == ALL else f"opsbot demo --act {self.ACT}"
        t.write(t.style(f"{played} — {self.BLURB}, with no Slack workspace and no tokens", "bold"))
        t.write(t._wrap(
            f"The real app serves {self.rig.url}/slack/events, and every request below is signed the way "
            f"Slack signs. Its Web API calls go to a local stand-in for Slack ({self.rig.slack.api_url}) and "
            "are printed as people would see them. The clock is simulated and jumps between scenes.\n"
            f"{self.CAST} Database: {self._db_label()}",
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
