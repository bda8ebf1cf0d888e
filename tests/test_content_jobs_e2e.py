"""The content workflow's scheduled side through the real app: the metrics
ask, the weekly plan's stages, and drafts in the pending nudge."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from storage.db import transaction
from storage.models import ReminderLog
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, SHANGHAI, make_rig
from tests.helpers import all_text, button, buttons, cards, dms
from tests.test_content_e2e import CHECKED, approved_topic, publish, request_changes, submit_draft, the_card

# Monday 23 November 2026 (the rig's start) is a working day in China; so is Tuesday 24.
TUE_10 = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)


def asks_to(rig, user: str):
    return [c for c in dms(rig.slack.calls(), user) if "How is" in c.params["text"]]


def published_piece(rig, title: str = "Onboarding video series", user: str = ALICE) -> None:
    approved_topic(rig, user, title)
    submit_draft(rig, user)
    card = the_card(rig)
    rig.click(LEAD, "draft_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()
    publish(rig)


def test_the_metrics_ask_comes_a_day_after_publication_at_ten_and_only_once(rig):
    published_piece(rig)  # Monday 23 Nov, 09:00
    rig.app.jobs.run("metrics-ask", now=TUE_10 - timedelta(minutes=1))
    rig.app.jobs.run("metrics-ask", now=TUE_10 - timedelta(days=1, minutes=-61))  # Monday 10:01: day 0
    rig.deliver()
    assert asks_to(rig, ALICE) == []

    rig.app.jobs.run("metrics-ask", now=TUE_10)
    rig.app.jobs.run("metrics-ask", now=TUE_10 + timedelta(hours=2))  # the same day again
    rig.deliver()
    [ask] = asks_to(rig, ALICE)
    assert "Onboarding video series" in ask.params["text"]
    assert buttons(ask.params) == ["Update metrics", "Remind me later"]
    assert "it is day 1 since publication" in all_text(ask.params)

    # Day 7 is Monday 30 November: the second ask, once.
    for hours in (0, 3):
        rig.app.jobs.run("metrics-ask", now=TUE_10 + timedelta(days=6, hours=hours))
    rig.deliver()
    assert len(asks_to(rig, ALICE)) == 2
    assert "it is day 7 since publication" in all_text(asks_to(rig, ALICE)[-1].params)
    with transaction(rig.app.db) as s:
        periods = sorted(s.scalars(select(ReminderLog.period).where(ReminderLog.job == "metrics-ask")))
    assert periods == ["pub:1:d1", "pub:1:d7"]


def test_a_day_one_that_falls_on_a_weekend_is_asked_on_the_next_working_day(database_url):
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)
    rig = make_rig(database_url, start=friday).start()
    try:
        published_piece(rig)
        saturday, sunday = (datetime(2026, 11, d, 10, 0, tzinfo=SHANGHAI) for d in (28, 29))
        rig.app.jobs.run("metrics-ask", now=saturday)
        rig.app.jobs.run("metrics-ask", now=sunday)
        rig.deliver()
        assert asks_to(rig, ALICE) == []
        rig.app.jobs.run("metrics-ask", now=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
        rig.deliver()
        assert len(asks_to(rig, ALICE)) == 1
    finally:
        rig.stop()


def test_a_snoozed_metrics_ask_comes_back_unless_the_figures_came_in(rig):
    published_piece(rig)
    rig.clock.set(TUE_10)
    rig.app.jobs.run("metrics-ask")
    rig.deliver()
    [ask] = asks_to(rig, ALICE)
    rig.click(ALICE, "remind_later", button(ask.params, "Remind me later")["value"], message=ask)
    assert "remind you again" in rig.slack.responses(rig.last_response_url)[0].params["text"]
    rig.clock.advance(timedelta(hours=3, minutes=1))
    rig.app.jobs.run_snoozes()
    rig.deliver()
    assert len(asks_to(rig, ALICE)) == 2

    again = asks_to(rig, ALICE)[-1]
    rig.click(ALICE, "remind_later", button(again.params, "Remind me later")["value"], message=again)
    rig.click(ALICE, "update_metrics", "1", message=again)
    rig.submit(ALICE, rig.last_view(), {"metric_reads": "10", "metric_likes": "1", "metric_comments": "0",
                                        "metric_shares": "0"})
    rig.clock.advance(timedelta(days=1))
    rig.app.jobs.run_snoozes()
    rig.deliver()
    assert len(asks_to(rig, ALICE)) == 2, "the figures came in: nothing to remind"


def test_the_weekly_plan_shows_each_approved_topics_stage(rig):
    approved_topic(rig, ALICE, "Planned piece")  # topic 1: no draft
    approved_topic(rig, ALICE, "Drafting piece")  # topic 2: changes requested
    submit_draft(rig, topic=2)
    request_changes(rig, "Needs a hook.")
    approved_topic(rig, ALICE, "Reviewed piece")  # topic 3: resubmitted, in review round 2
    submit_draft(rig, topic=3)
    card = [c for c in cards(rig.slack.calls(), CHANNEL) if "Draft #2 " in all_text(c.params)][-1]
    rig.click(LEAD, "draft_request_changes", button(card.params, "Request changes")["value"], message=card)
    rig.submit(LEAD, rig.last_view(), {"review_comment": "Shorter."})
    rig.deliver()
    rig.click(ALICE, "draft_resubmit", "2")
    rig.submit(ALICE, rig.last_view(), {"draft_link": "https://docs.example.com/r2", "draft_checklist": CHECKED})
    rig.deliver()
    approved_topic(rig, BOB, "Approved piece")  # topic 4: draft approved
    submit_draft(rig, BOB, topic=4)
    rig.click(LEAD, "draft_approve", "3:1")
    rig.deliver()
    approved_topic(rig, BOB, "Published piece")  # topic 5: published
    submit_draft(rig, BOB, topic=5)
    rig.click(LEAD, "draft_approve", "4:1")
    rig.deliver()
    rig.command(BOB, "/publish", channel=CHANNEL)
    view = rig.last_view()
    rig.submit(BOB, view, {"pub_draft": "4", "pub_platform": "Weibo", "pub_url": "https://weibo.example.com/1"})

    rig.app.jobs.run("weekly-plan", now=rig.clock.now(), manual=True)
    rig.deliver()
    [plan] = [c for c in rig.slack.calls("chat.postMessage") if "Content plan" in all_text(c.params)]
    text = all_text(plan.params)
    for title, stage in (("Planned piece", "planned"), ("Drafting piece", "drafting"),
                         ("Reviewed piece", "in review (round 2)"), ("Approved piece", "approved"),
                         ("Published piece", "published")):
        line = next(x for x in text.splitlines() if title in x)
        assert line.endswith(f"_{stage}_"), line

    # Next Monday, last week's published piece is no longer carried over; the others are.
    rig.app.jobs.run("weekly-plan", now=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    [_first, nxt] = [c for c in rig.slack.calls("chat.postMessage") if "Content plan" in all_text(c.params)]
    carried = all_text(nxt.params).split("Carried over")[1]
    assert "Published piece" not in carried
    assert all(t in carried for t in ("Planned piece", "Drafting piece", "Reviewed piece", "Approved piece"))


def test_a_draft_waiting_over_a_day_is_in_the_supervisors_pending_nudge(rig):
    approved_topic(rig)
    submit_draft(rig)
    rig.app.jobs.run("pending-nudge", now=TUE_10 + timedelta(hours=1))
    rig.deliver()
    [nudge] = [c for c in dms(rig.slack.calls(), LEAD) if "waited over 24 hours" in c.params["text"]]
    assert "Draft #1 Onboarding video series" in all_text(nudge.params)
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.job == "pending-nudge")) == 2
