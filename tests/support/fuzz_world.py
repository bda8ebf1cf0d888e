"""The world the modal fuzz (``tests/test_fuzz_modals.py``) plays in: one team
with an item in every state a modal or a button needs, every modal as Slack
opened it, a cheap fingerprint of the domain tables, and a spy that notes each
refusal ``handlers/errors.py`` rendered."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text

import handlers.errors as errors_module
from bot.devtools.rig import Rig
from handlers.ids import View
from storage.db import transaction
from storage.feedback import FeedbackTalk, ImprovementItem
from storage.schema import metadata
from storage.topics import Topic
from storage.training import TrainingAnswer, TrainingSession
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, SHANGHAI, USERS
from tests.helpers import all_text, button, buttons, cards, dms

# November's month-end day in China is Monday 30 November 2026; the world starts at 09:00.
MONTH_END_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
START = MONTH_END_10 - timedelta(hours=1)
ADMIN = "U0ADMIN"  # the teams file's admin: may open /opsbot setup
# Bob works from Shanghai here, so that the month-end jobs reach him too.
FUZZ_USERS = {**USERS, BOB: {**USERS[BOB], "tz": "Asia/Shanghai"}}

# Bookkeeping, not what a person changed: requests taken, notices queued, the
# audit trail (refusals are audited on purpose), Slack's cached profiles.
BOOKKEEPING = {"audit_log", "inbox", "outbox", "processed_events", "slack_users", "card_posts", "reminder_log",
               "alembic_version"}
DOMAIN_TABLES = [t for t in metadata.sorted_tables if t.name not in BOOKKEEPING]


def fingerprint(rig: Rig) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per domain table."""
    out: dict[str, tuple[int, str]] = {}
    with transaction(rig.app.db) as s:
        for table in DOMAIN_TABLES:
            order = ", ".join(c.name for c in table.primary_key.columns)
            rows = s.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}")).all()  # noqa: S608
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode("utf-8", "backslashreplace")).hexdigest())
    return out


@dataclass
class Spy:
    """Every error ``handlers/errors.py`` turned into words, in order."""

    seen: list[Exception] = field(default_factory=list)

    def since(self, mark: int) -> list[Exception]:
        return self.seen[mark:]


@contextmanager
def spying(monkeypatch: Any) -> Iterator[Spy]:
    spy = Spy()
    real = errors_module.message_for

    def noting(error: Exception, _: Any) -> str:
        spy.seen.append(error)
        return real(error, _)

    monkeypatch.setattr(errors_module, "message_for", noting)
    yield spy


def _dm_with(rig: Rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, f"no DM to {user} with {label!r}"
    return found[-1]


def _press(rig: Rig, user: str, dm, label: str) -> None:
    b = button(dm.params, label)
    assert rig.click(user, b["action_id"], b["value"], message=dm).status == 200


def _topic_id(rig: Rig, title: str) -> int:
    with transaction(rig.app.db) as s:
        return s.scalars(select(Topic.id).where(Topic.title == title)).one()


def _approved_topic(rig: Rig, user: str, title: str) -> int:
    rig.command(user, "/topic", title, channel=CHANNEL)
    rig.deliver()
    topic_id = _topic_id(rig, title)
    rig.click(LEAD, "topic_approve", str(topic_id))
    rig.deliver()
    return topic_id


def _card(rig: Rig, marker: str):
    found = [c for c in cards(rig.slack.calls(), CHANNEL) if marker in all_text(c.params)
             and not c.params.get("thread_ts")]
    assert found, f"no card with {marker!r}"
    return found[-1]


def _content(rig: Rig, views: dict[str, dict[str, Any]]) -> None:
    """Topics, drafts, a publication and its metrics."""
    _approved_topic(rig, ALICE, "Onboarding video series")
    rig.command(ALICE, "/draft", channel=CHANNEL)
    rig.submit(ALICE, rig.last_view(), {"draft_link": "https://docs.example.com/d/1",
                                        "draft_checklist": ["accuracy", "professionalism", "interest", "brand_fit"]})
    rig.deliver()
    card = _card(rig, "Draft #1 ")
    rig.click(LEAD, "draft_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()
    rig.command(ALICE, "/publish", channel=CHANNEL)
    views[View.PUBLISH] = rig.last_view()
    rig.submit(ALICE, views[View.PUBLISH], {"pub_platform": "WeChat", "pub_url": "https://mp.example.com/s/abc"})
    rig.deliver()
    rig.command(ALICE, "/publish", "metrics 1", channel=CHANNEL)
    views[View.METRICS] = rig.last_view()
    _approved_topic(rig, BOB, "Bob's spring guide")
    rig.command(BOB, "/draft", channel=CHANNEL)
    views[View.DRAFT_SUBMIT] = rig.last_view()
    rig.submit(BOB, views[View.DRAFT_SUBMIT], {"draft_link": "https://docs.example.com/d/2",
                                               "draft_checklist": ["accuracy", "professionalism", "interest", "brand_fit"]})
    rig.deliver()
    card = _card(rig, "Draft #2 ")
    rig.click(LEAD, "draft_request_changes", button(card.params, "Request changes")["value"], message=card)
    views[View.DRAFT_CHANGES] = rig.last_view()
    rig.command(ALICE, "/topic", "Waiting for a decision", channel=CHANNEL)
    rig.deliver()
    rig.click(LEAD, "topic_reject", str(_topic_id(rig, "Waiting for a decision")))
    views[View.TOPIC_REJECT] = rig.last_view()
    rig.command(ALICE, "/topic", "", channel=CHANNEL)
    views[View.TOPIC_PROPOSE] = rig.last_view()


def _activities_and_leave(rig: Rig, views: dict[str, dict[str, Any]]) -> None:
    rig.command(ALICE, "/activity", "", channel=CHANNEL)
    views[View.ACTIVITY_PROPOSE] = rig.last_view()
    starts = START + timedelta(days=2)
    rig.submit(ALICE, views[View.ACTIVITY_PROPOSE], {
        "activity_theme": "Double 12 livestream", "activity_format": "Livestream", "activity_start": starts,
        "activity_end": starts + timedelta(hours=3), "activity_participants": [BOB], "target_participants": 200,
        "target_engagement": 35.5, "target_conversion": 12, "activity_resources": "Studio"})
    rig.deliver()
    rig.click(LEAD, "activity_changes", "1")
    views[View.ACTIVITY_CHANGES] = rig.last_view()
    rig.click(LEAD, "activity_reject", "1")
    views[View.ACTIVITY_REJECT] = rig.last_view()
    rig.command(BOB, "/leave", "", channel=CHANNEL)
    views[View.LEAVE_REQUEST] = rig.last_view()
    rig.submit(BOB, views[View.LEAVE_REQUEST], {"leave_start": "2026-12-07", "leave_end": "2026-12-08",
                                                "leave_reason": "Family trip"})
    rig.deliver()
    rig.click(LEAD, "leave_reject", "1")
    views[View.LEAVE_REJECT] = rig.last_view()
    rig.command(LEAD, "/opsbot", "settings", channel=CHANNEL)
    views[View.TEAM_SETTINGS] = rig.last_view()
    rig.command(ADMIN, "/opsbot", "setup", channel=CHANNEL)
    views[View.TEAM_SETUP] = rig.last_view()
    rig.command(LEAD, "/opsbot", "onboarding", channel=CHANNEL)
    views[View.ONBOARDING] = rig.last_view()
    rig.command(LEAD, "/opsbot", f"targets <@{ALICE}|alice> 2026-12", channel=CHANNEL)
    views[View.TARGETS] = rig.last_view()
    rig.submit(LEAD, views[View.TARGETS], {"rv_target_reads": "1000", "rv_plan_indicators": "Newsletter | 4 | on time"})
    rig.deliver()
    _press(rig, ALICE, _dm_with(rig, ALICE, "Comment"), "Comment")
    views[View.PLAN_COMMENT] = rig.last_view()


def _reviews(rig: Rig, views: dict[str, dict[str, Any]]) -> None:
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    _press(rig, BOB, _dm_with(rig, BOB, "Write self-review"), "Write self-review")
    views[View.SELF_REVIEW] = rig.last_view()
    _press(rig, ALICE, _dm_with(rig, ALICE, "Write self-review"), "Write self-review")
    rig.submit(ALICE, rig.last_view(), {
        "rv_achievements": "Shipped", "rv_shortcomings": "Slow drafts", "rv_plan": "Outline first",
        "rv_score_performance": "85", "rv_score_ability": "80", "rv_score_attitude": "90"})
    rig.deliver()
    _press(rig, LEAD, _dm_with(rig, LEAD, "Ask colleagues"), "Ask colleagues")
    views[View.PEERS] = rig.last_view()
    rig.submit(LEAD, views[View.PEERS], {"rv_peers": [BOB]})
    rig.deliver()
    rate = [c for c in dms(rig.slack.calls(), BOB) if "peer_rate" in str(c.params.get("blocks"))][-1]
    value = next(el["value"] for b in rate.params["blocks"] if b.get("type") == "actions"
                 for el in b["elements"] if el.get("action_id") == "peer_rate")
    rig.click(BOB, "peer_rate", value, message=rate)
    views[View.PEER_RATING] = rig.last_view()
    _press(rig, LEAD, _dm_with(rig, LEAD, "Evaluate"), "Evaluate")
    views[View.EVALUATION] = rig.last_view()
    rig.submit(LEAD, views[View.EVALUATION], {"rv_score_performance": "80", "rv_score_ability": "75",
                                              "rv_score_attitude": "90", "rv_comment": "Solid month"})
    rig.deliver()
    _press(rig, ALICE, _dm_with(rig, ALICE, "Object"), "Object")
    views[View.OBJECTION] = rig.last_view()
    rig.submit(ALICE, views[View.OBJECTION], {"rv_reason": "Reads doubled."})
    rig.deliver()
    _press(rig, LEAD, _dm_with(rig, LEAD, "Confirm result"), "Confirm result")
    views[View.CONFIRM] = rig.last_view()


def build(rig: Rig) -> dict[str, dict[str, Any]]:
    """Every modal the app opens, as Slack opened it, by its callback id."""
    views: dict[str, dict[str, Any]] = {}
    _content(rig, views)
    _activities_and_leave(rig, views)
    _reviews(rig, views)
    _training(rig, views)
    _feedback(rig, views)
    views[View.ACTIVITY_RETRO] = _retro_view(views[View.ACTIVITY_PROPOSE])
    for callback, view in views.items():
        assert view["callback_id"] == callback, (callback, view["callback_id"])
    missing = {v.value for v in View} - views.keys()
    assert not missing, f"the world opened no {missing}"
    return views


def _training(rig: Rig, views: dict[str, dict[str, Any]]) -> None:
    """The announce and goals modals, and the attendance modal of a session that started an hour ago."""
    rig.command(LEAD, "/opsbot", "training", channel=CHANNEL)
    views[View.TRAINING] = rig.last_view()
    rig.command(ALICE, "/opsbot", "goals", channel=CHANNEL)
    views[View.GOALS] = rig.last_view()
    with transaction(rig.app.db) as s:
        row = TrainingSession(team_id=1, created_by=LEAD, topic="Headlines", starts_at=START - timedelta(hours=1),
                              place="Room 3", created_at=START - timedelta(days=1))
        s.add(row)
        s.flush()
        s.add(TrainingAnswer(session_id=row.id, user_id=ALICE, joining=True, answered_at=START - timedelta(days=1)))
        session_id = row.id
    rig.click(LEAD, "training_attendance", str(session_id))
    views[View.TRAINING_ATTENDANCE] = rig.last_view()


def _feedback(rig: Rig, views: dict[str, dict[str, Any]]) -> None:
    """The feedback talk's modals: schedule (Alice's review has a result), then, the talk
    begun, its notes; Alice's Object on the plan, and Not yet on her item."""
    rig.command(LEAD, "/opsbot", f"talk <@{ALICE}>", channel=CHANNEL)
    views[View.TALK_SCHEDULE] = rig.last_view()
    at = rig.clock.now() + timedelta(minutes=30)
    rig.submit(LEAD, views[View.TALK_SCHEDULE], {"fb_talk_at": at, "fb_talk_place": "Room 3"})
    rig.deliver()
    rig.clock.set(at + timedelta(minutes=1))
    with transaction(rig.app.db) as s:
        talk_id = s.scalar(select(FeedbackTalk.id))
    rig.click(LEAD, "talk_record", str(talk_id))
    views[View.TALK_NOTES] = rig.last_view()
    rig.submit(LEAD, views[View.TALK_NOTES], {"fb_notes": "Pacing", "fb_item_1_text": "Outline drafts",
                                              "fb_item_1_due": "2026-12-11"})
    rig.deliver()
    _press(rig, ALICE, _dm_with(rig, ALICE, "Object"), "Object")
    views[View.TALK_OBJECTION] = rig.last_view()
    with transaction(rig.app.db) as s:
        item_id = s.scalar(select(ImprovementItem.id))
    rig.click(ALICE, "improvement_not_yet", str(item_id))
    views[View.ITEM_NOT_YET] = rig.last_view()


def _retro_view(activity: dict[str, Any]) -> dict[str, Any]:
    """The retrospective modal, built as the app builds it: reaching it for
    real takes an activity that has ended, which the fuzz does not need."""
    from bot.kernel.i18n import gettext_for
    from handlers.activities.blocks import retro_modal

    return {**retro_modal(activity_id=1, theme="Double 12 livestream",
                          targets={"participants": 200, "engagement": 35.5, "conversion": 12}, _=gettext_for("en")),
            "id": "V0RETRO"}
