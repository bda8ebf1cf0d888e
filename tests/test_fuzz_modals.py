"""Issue 16, item 10: hostile input into every modal, command and button.

A seeded fuzz (``OPSBOT_FUZZ_SEED`` overrides the default; the seed is
printed) sends at least 1,000 signed requests into the running app: over-long
text, control characters, RTL and zero-width marks, emoji and astral
characters, mrkdwn and ``<!channel>``, wrong types, missing, extra and
malformed blocks, forged ``private_metadata``, option values, ids and dates.
For every one: no HTTP 5xx and no unhandled error; a refusal is answered where
the person typed (a modal's field error on a block of that modal, a command's
ephemeral, a click's ephemeral or DM) and leaves the domain tables exactly as
they were; a proposal accepted from hostile text stores the text typed; and
nothing a person typed reaches Slack as a live mention or link. The counts per
surface and outcome are printed in the test's output.

SQLite only: what the store does with odd text on both backends is covered by
the targeted tests (``tests/test_hostile_forms_e2e.py``); the fuzz aims at the
request layer, where a thousand requests on one backend find what a thousand
on two would.
"""

from __future__ import annotations

import json
import os
import random
import time
import urllib.parse
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from bot.devtools.rig import Reply, Rig
from bot.kernel.errors import OpsbotError
from bot.web import MAX_BODY_BYTES
from handlers.ids import Action, Command, View
from storage.db import transaction
from storage.topics import Topic
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, make_rig
from tests.helpers import all_text
from tests.support import hostile
from tests.support.fuzz_world import ADMIN, FUZZ_USERS, START, build, fingerprint, spying

SEED = int(os.environ.get("OPSBOT_FUZZ_SEED", "20261130"))
PER_MODAL = 48
PER_COMMAND = 36
PER_ACTION = 8

# Who opened each modal in the world; a submission sometimes comes from someone else.
OPENER = {
    View.TOPIC_PROPOSE: ALICE, View.TOPIC_REJECT: LEAD, View.DRAFT_SUBMIT: BOB, View.DRAFT_CHANGES: LEAD,
    View.PUBLISH: ALICE, View.METRICS: ALICE, View.SELF_REVIEW: BOB, View.EVALUATION: LEAD, View.OBJECTION: ALICE,
    View.CONFIRM: LEAD, View.PEERS: LEAD, View.PEER_RATING: BOB, View.TARGETS: LEAD, View.ACTIVITY_PROPOSE: ALICE,
    View.ACTIVITY_CHANGES: LEAD, View.ACTIVITY_REJECT: LEAD, View.ACTIVITY_RETRO: ALICE, View.LEAVE_REQUEST: BOB,
    View.LEAVE_REJECT: LEAD, View.TEAM_SETTINGS: LEAD, View.TEAM_SETUP: ADMIN,
    View.ONBOARDING: LEAD, View.TRAINING: LEAD, View.TRAINING_ATTENDANCE: LEAD, View.GOALS: ALICE,
    View.PLAN_COMMENT: ALICE, View.TALK_SCHEDULE: LEAD, View.TALK_NOTES: LEAD, View.TALK_OBJECTION: ALICE,
    View.ITEM_NOT_YET: ALICE,
}
OTHERS = [ALICE, BOB, LEAD, LEAD2, EVE, "U0NOBODY"]
# What user text must never become in Slack: a ping, a mention or a link.
LIVE = ("<!channel", "<!here", "<!everyone", "<!subteam", "<@U0HOSTILE", "<#C0HOSTILE", "<https://evil")


class Fuzz:
    """Sends the requests, checks each, and keeps the counts and what broke."""

    def __init__(self, rig: Rig, spy: Any) -> None:
        self.rig, self.spy = rig, spy
        self.counts: Counter[tuple[str, str]] = Counter()
        self.broken: list[str] = []
        self.sent = 0

    def fail(self, where: str, what: str) -> None:
        self.broken.append(f"#{self.sent} {where}: {what}")

    def _errors(self, mark: int, where: str) -> list[Exception]:
        seen = self.spy.since(mark)
        for e in seen:
            if not isinstance(e, OpsbotError):
                self.fail(where, f"unhandled {type(e).__name__}: {e!r}"[:300])
        return seen

    def _check_store(self, where: str, before: dict, refused: bool) -> None:
        if refused and fingerprint(self.rig) != before:
            after = fingerprint(self.rig)
            changed = sorted(t for t in before if before[t] != after[t])
            self.fail(where, f"refused, yet the store changed: {changed}")

    # -- modals ------------------------------------------------------------------

    def submit(self, callback: str, view: dict[str, Any], r: random.Random) -> None:
        self.sent += 1
        state, how = hostile.hostile_state(r, view)
        meta, forged = hostile.forged_metadata(r, view)
        sent_view = {**view, "state": state, "private_metadata": meta}
        if r.random() < 0.02:
            sent_view.pop("blocks")
            how = "view without blocks"
        user = OPENER[callback] if r.random() < 0.8 else r.choice(OTHERS)
        payload = {"type": "view_submission", "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
                   "api_app_id": "A0OPSBOT", "team": {"id": "T0TEAM", "domain": "demo"},
                   "trigger_id": f"{self.sent}.fuzz", "view": sent_view}
        before, mark = fingerprint(self.rig), len(self.spy.seen)
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        if len(body.encode()) > MAX_BODY_BYTES:
            # Refused with 413 before the app reads it (tests/test_http_limits_e2e.py proves that path).
            self.counts[(callback, "over the body limit")] += 1
            return
        reply = self.rig.post(body, "application/x-www-form-urlencoded")
        where = f"{callback} ({how}{', forged metadata' if forged else ''}) as {user}"
        errors = self._errors(mark, where)
        if reply.status >= 500:
            self.fail(where, f"HTTP {reply.status}")
            self.counts[(callback, "5xx")] += 1
            return
        body = reply.json() or {}
        blocks = {b.get("block_id") for b in view["blocks"] if b.get("type") == "input"}
        if body.get("response_action") == "errors":
            outcome = "field error"
            keys = set(body.get("errors") or {})
            if not keys or ("blocks" in sent_view and not keys <= blocks):
                self.fail(where, f"errors on {keys}, not on the modal's inputs {blocks}")
            self._check_store(where, before, refused=True)
        elif body.get("response_action") == "update" and errors and (not blocks or "blocks" not in sent_view):
            # A modal with nothing to type in (read-only, or sent without blocks) turns into the answer.
            outcome = "refused (the modal says why)"
            if not all_text(body.get("view") or {}).strip():
                self.fail(where, "the modal was updated with nothing to read")
            self._check_store(where, before, refused=True)
        elif errors:
            outcome = "refused, answered nowhere"
            self.fail(where, f"{type(errors[0]).__name__} answered with {reply.body[:200]!r}")
            self._check_store(where, before, refused=True)
        else:
            outcome = "accepted"
            if callback == View.TOPIC_PROPOSE:
                self._title_kept(where, _typed(state, "title"))
        self.counts[(callback, outcome)] += 1

    def _title_kept(self, where: str, typed: Any) -> None:
        with transaction(self.rig.app.db) as s:
            stored = s.scalars(select(Topic.title).order_by(Topic.id.desc()).limit(1)).one()
        if isinstance(typed, str) and stored != " ".join(typed.split()):
            self.fail(where, f"typed {typed[:80]!r}, stored {stored[:80]!r}")

    # -- commands ------------------------------------------------------------------

    def command(self, command: str, r: random.Random) -> None:
        self.sent += 1
        text = hostile.hostile_command_text(r, command).encode("utf-8", "replace").decode("utf-8")
        text = "".join(c if not 0xD800 <= ord(c) <= 0xDFFF else "\ufffd" for c in text)
        user = r.choice([ALICE, ALICE, BOB, LEAD, LEAD, EVE, "U0NOBODY"])
        opened = len(self.rig.slack.calls("views.open"))
        before, mark = fingerprint(self.rig), len(self.spy.seen)
        reply = self.rig.command(user, command, text, channel=r.choice([CHANNEL, "C0OTHER", "D0DIRECT"]))
        where = f"{command} {text[:60]!r} as {user}"
        errors = self._errors(mark, where)
        if reply.status >= 500:
            self.fail(where, f"HTTP {reply.status}")
            self.counts[(command, "5xx")] += 1
            return
        answer = reply.json() or {}
        ephemeral = bool(answer.get("text") or answer.get("blocks")) and answer.get("response_type") != "in_channel"
        modal = len(self.rig.slack.calls("views.open")) > opened
        if errors:
            outcome = "refused (ephemeral)" if ephemeral else "refused, answered nowhere"
            if not ephemeral:
                self.fail(where, f"{type(errors[0]).__name__} answered with {reply.body[:200]!r}")
            self._check_store(where, before, refused=True)
        elif modal:
            outcome = "modal opened"
        elif ephemeral:
            outcome = "accepted" if fingerprint(self.rig) != before else "answered"
            if outcome == "accepted" and command == Command.TOPIC and " ".join(text.split()) not in (
                    "list", "list team", "help") and not text.strip().startswith("withdraw"):
                self._title_kept(where, text)
        else:
            outcome = "answered nowhere"
            self.fail(where, f"no answer: {reply.body[:200]!r}")
        self.counts[(command, outcome)] += 1

    # -- buttons ---------------------------------------------------------------------

    def click(self, action: str, r: random.Random) -> None:
        self.sent += 1
        value = hostile.forged_button_value(r)
        user = r.choice(OTHERS)
        home = r.random() < 0.25
        self.rig.deliver()  # what earlier requests queued (a card's ts is kept on its item)
        opened, told = len(self.rig.slack.calls("views.open")), self._dms(user)
        before, mark = fingerprint(self.rig), len(self.spy.seen)
        reply = _click(self.rig, user, action, value, home=home)
        self.rig.deliver()
        where = f"{action} value={value!r:.60} as {user}{' on Home' if home else ''}"
        errors = self._errors(mark, where)
        if reply.status >= 500:
            self.fail(where, f"HTTP {reply.status}")
            self.counts[(action, "5xx")] += 1
            return
        answered = bool(reply.json()) or self._dms(user) > told
        if errors:
            outcome = "refused (ephemeral or DM)" if answered else "refused, answered nowhere"
            if not answered:
                self.fail(where, f"{type(errors[0]).__name__} answered nowhere")
            self._check_store(where, before, refused=True)
        elif len(self.rig.slack.calls("views.open")) > opened:
            outcome = "modal opened"
        else:
            outcome = "accepted" if fingerprint(self.rig) != before else "answered" if answered else "no change"
        self.counts[(action, outcome)] += 1

    def _dms(self, user: str) -> int:
        return len([c for c in self.rig.slack.calls("chat.postMessage") if c.params.get("channel") == user])

    # -- what reached Slack ------------------------------------------------------------

    def live_markup(self) -> list[str]:
        found = []
        for call in self.rig.slack.all_calls():
            for text in _mrkdwn(call.params):
                hits = [m for m in LIVE if m in text]
                if hits:
                    found.append(f"{call.method} sent {hits} in {text[:120]!r}")
        return found


def _typed(state: Any, block: str) -> Any:
    try:
        return next(iter(state["values"][block].values())).get("value")
    except (TypeError, KeyError, AttributeError, StopIteration):
        return None


def _mrkdwn(node: Any, top: bool = True) -> list[str]:
    """Every text Slack reads as mrkdwn: a call's ``text`` and every mrkdwn object."""
    out: list[str] = []
    if isinstance(node, dict):
        if (top and isinstance(node.get("text"), str)) or (node.get("type") == "mrkdwn" and "text" in node):
            out.append(str(node["text"]))
        for k, v in node.items():
            if isinstance(v, str) and k == "blocks" and v.startswith("["):
                v = json.loads(v)
            if isinstance(v, dict | list):
                out += _mrkdwn(v, top=False)
    elif isinstance(node, list):
        for v in node:
            out += _mrkdwn(v, top=False)
    return out


def _click(rig: Rig, user: str, action: str, value: Any, *, home: bool) -> Reply:
    """A button pressed with a forged value (``Rig.click`` takes only strings)."""
    url = None if home else rig.slack.new_response_url()
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "api_app_id": "A0OPSBOT", "team": {"id": "T0TEAM", "domain": "demo"}, "trigger_id": f"{time.time()}.click",
        "actions": [{"type": "button", "action_id": action, "block_id": "b", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    }
    if home:
        payload.update({"container": {"type": "view", "view_id": "V0HOME"},
                        "view": {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}}})
    else:
        payload.update({"container": {"type": "message", "channel_id": CHANNEL}, "response_url": url,
                        "channel": {"id": CHANNEL, "name": "growth"}})
    reply = rig.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    return rig._answered(reply, url) if url else reply


@pytest.fixture
def world(sqlite_url):
    rig = make_rig(sqlite_url, start=START, users=FUZZ_USERS).start()
    try:
        yield rig, build(rig)
    finally:
        rig.stop()


def test_a_thousand_hostile_requests_break_nothing_and_every_refusal_is_answered(world, monkeypatch, capsys):
    rig, views = world
    r = random.Random(SEED)
    started = time.monotonic()
    with spying(monkeypatch) as spy:
        fuzz = Fuzz(rig, spy)
        plan = ([("modal", c) for c in views for _ in range(PER_MODAL)]
                + [("command", c.value) for c in Command for _ in range(PER_COMMAND)]
                + [("action", a.value) for a in Action for _ in range(PER_ACTION)])
        r.shuffle(plan)
        for kind, name in plan:
            if kind == "modal":
                fuzz.submit(name, views[name], r)
            elif kind == "command":
                fuzz.command(name, r)
            else:
                fuzz.click(name, r)
        rig.deliver()
        live = fuzz.live_markup()
    with capsys.disabled():
        print(f"\nmodal fuzz: seed {SEED} (OPSBOT_FUZZ_SEED), {fuzz.sent} requests in "
              f"{time.monotonic() - started:.1f} s")
        for (surface, outcome), n in sorted(fuzz.counts.items()):
            print(f"  {surface:28} {outcome:28} {n:5}")
    assert fuzz.sent >= 1000
    assert {s for s, _o in fuzz.counts} >= {*views, *(c.value for c in Command), *(a.value for a in Action)}
    assert not fuzz.broken, f"{len(fuzz.broken)} broken (seed {SEED}):\n" + "\n".join(fuzz.broken[:40])
    assert not live, "user text reached Slack live:\n" + "\n".join(live[:20])
