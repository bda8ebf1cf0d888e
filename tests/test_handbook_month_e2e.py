"""One month of the handbook played through (issue 18): the supervisor proposes
Alice's November plan, she agrees, hears mid-month how it stands, her
self-review shows the plan, Lena evaluates, schedules the feedback talk
(both reminded once on the day), records the notes and an improvement plan,
Alice acknowledges, the follow-up asks on the due working day (Not yet, then
Done), and December's self-review carries the items still open."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from storage.db import transaction
from storage.feedback import FeedbackEvent, FeedbackTalk, ImprovementItem
from storage.reviews import Review, ReviewPlan
from tests.conftest import ALICE, BOB, LEAD, SHANGHAI, make_rig
from tests.helpers import all_text, button, buttons, dms
from tests.test_exports_e2e import export
from tests.test_exports_kinds_e2e import the_csv
from tests.test_status_help_e2e import status

NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # the month's first working day


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=NOV_2).start()
    try:
        yield r
    finally:
        r.stop()


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def last_dm(rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, [all_text(c.params) for c in dms(rig.slack.calls(), user)]
    return found[-1]


def press(rig, user: str, dm, label: str) -> None:
    b = button(dm.params, label)
    assert rig.click(user, b["action_id"], b["value"], message=dm).status == 200


def said(rig) -> str:
    return rig.slack.responses(rig.last_response_url)[-1].params["text"]


def dm_texts(rig, user: str, marker: str) -> list[str]:
    return [all_text(c.params) for c in dms(rig.slack.calls(), user) if marker in all_text(c.params)]


def write_self_review(rig, when: datetime) -> dict:
    """The month-end prompt, and the self-review modal it opens (returned as opened)."""
    rig.clock.set(when)
    rig.app.jobs.run("selfreview-open", now=when)
    rig.deliver()
    press(rig, ALICE, last_dm(rig, ALICE, "Write self-review"), "Write self-review")
    return rig.last_view()


def test_a_month_from_plan_to_the_improvement_plan_follow_up(rig):
    # 1. The plan for November: Lena proposes, Alice agrees.
    rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2026-11")
    assert rig.submit(LEAD, rig.last_view(), {"rv_target_topics_approved": "3",
                                              "rv_plan_indicators": "Newsletter | 4 issues | sent by the 28th"}).body == ""
    rig.deliver()
    press(rig, ALICE, last_dm(rig, ALICE, "Agree"), "Agree")
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(ReviewPlan.status)) == "agreed"

    # 2. Mid-month (the 15th is a Sunday: Monday the 16th), once.
    for _ in range(2):
        rig.app.jobs.run("plan-progress", now=at(11, 16))
    rig.deliver()
    assert len(dm_texts(rig, ALICE, "Mid-month")) == 1

    # 3. Month-end: the self-review shows the agreed plan; Alice writes it; Lena evaluates.
    modal = write_self_review(rig, at(11, 30))
    assert "Newsletter" in all_text(modal) and "Your open improvement items" not in all_text(modal)
    assert rig.submit(ALICE, modal, {"rv_achievements": "Four newsletters.", "rv_shortcomings": "Late drafts.",
                                     "rv_plan": "Outline first.", "rv_score_performance": "85",
                                     "rv_score_ability": "80", "rv_score_attitude": "90"}).body == ""
    rig.deliver()
    press(rig, LEAD, last_dm(rig, LEAD, "Evaluate"), "Evaluate")
    assert rig.submit(LEAD, rig.last_view(), {"rv_score_performance": "80", "rv_score_ability": "75",
                                              "rv_score_attitude": "90", "rv_comment": "Good month."}).body == ""
    rig.deliver()

    # 4. The talk: scheduled from Lena's Home for Wednesday 2 December, 15:00; both reminded that morning, once.
    rig.event({"type": "app_home_opened", "user": LEAD, "tab": "home"}, event_id="EvHome1")
    rig.deliver()
    home = [c for c in rig.slack.calls("views.publish") if c.params["user_id"] == LEAD][-1].params["view"]
    b = button(home, "Schedule talk: Alice")
    assert rig.click(LEAD, b["action_id"], b["value"], home=True).status == 200
    assert rig.submit(LEAD, rig.last_view(), {"fb_talk_at": at(12, 2, 15), "fb_talk_place": "Room 3"}).body == ""
    rig.deliver()
    assert len(dm_texts(rig, ALICE, "2026-12-02 15:00 (Asia/Shanghai)")) == 1
    for _ in range(2):
        rig.app.jobs.run("talk-reminder", now=at(12, 2))
    rig.deliver()
    assert len(dm_texts(rig, ALICE, "Reminder: your feedback talk")) == 1
    assert len(dm_texts(rig, LEAD, "Reminder: your feedback talk")) == 1

    # 5. After the talk: notes and the improvement plan; Alice acknowledges.
    rig.clock.set(at(12, 2, 16))
    press(rig, LEAD, last_dm(rig, LEAD, "Record notes"), "Record notes")
    assert rig.submit(LEAD, rig.last_view(), {
        "fb_notes": "Drafts come late; outline first.",
        "fb_item_1_text": "Outline every draft", "fb_item_1_due": "2026-12-05",  # a Saturday
        "fb_item_2_text": "Weekly headline review", "fb_item_2_owner": LEAD, "fb_item_2_due": "2026-12-31",
    }).body == ""
    rig.deliver()
    press(rig, ALICE, last_dm(rig, ALICE, "Acknowledge"), "Acknowledge")
    rig.deliver()

    # 6. The follow-up: the 5th is a Saturday, so Monday the 7th; Not yet, asked again on the 9th; Done.
    rig.app.jobs.run("improvement-followup", now=at(12, 5))
    rig.deliver()
    assert not dm_texts(rig, ALICE, "Improvement item due")
    rig.clock.set(at(12, 7, 10, 5))
    for _ in range(2):
        rig.app.jobs.run("improvement-followup", now=at(12, 7))
    rig.deliver()
    [ask] = [c for c in dms(rig.slack.calls(), ALICE) if "Not yet" in buttons(c.params)]
    press(rig, ALICE, ask, "Not yet")
    assert rig.submit(ALICE, rig.last_view(), {"fb_followup_comment": "Half done.",
                                               "fb_followup_due": "2026-12-09"}).body == ""
    rig.app.jobs.run("improvement-followup", now=at(12, 8))
    rig.app.jobs.run("improvement-followup", now=at(12, 9))
    rig.deliver()
    asks = [c for c in dms(rig.slack.calls(), ALICE) if "Not yet" in buttons(c.params)]
    assert len(asks) == 2 and "due 2026-12-09" in all_text(asks[-1].params)
    rig.clock.set(at(12, 9, 10, 5))
    assert "Improvement items you own: 1 open, 0 overdue" in status(rig, ALICE)
    lena = status(rig, LEAD)
    assert "Improvement items you own: 1 open, 0 overdue" in lena
    assert "Improvement plans in the team: 2 item(s) open, 0 overdue" in lena
    assert "Improvement" not in status(rig, BOB), "Bob owns nothing and sees no one else's plan"
    press(rig, ALICE, asks[-1], "Done")
    assert said(rig) == "Done: the item is closed."

    # 7. December's self-review carries the item still open, not the one done.
    modal = write_self_review(rig, at(12, 31))
    text = all_text(modal)
    assert "Your open improvement items" in text and "Weekly headline review" in text
    assert "Outline every draft" not in text

    with transaction(rig.app.db) as s:
        assert s.scalar(select(FeedbackTalk.status)) == "acknowledged"
        assert [(i.text, i.status, i.due_date) for i in s.scalars(select(ImprovementItem).order_by(ImprovementItem.id))] == [
            ("Outline every draft", "done", date(2026, 12, 9)), ("Weekly headline review", "open", date(2026, 12, 31))]
        assert [e.event for e in s.scalars(select(FeedbackEvent).order_by(FeedbackEvent.id))] == [
            "schedule", "record", "acknowledge", "item_not_yet", "item_done"]
        assert s.scalar(select(Review.status).where(Review.period == "2026-11")) == "evaluated"

    # 8. Lena's export of November's talks: the talk, the notes and each item as it stands; Alice cannot export.
    export(rig, LEAD, "talks 2026-11")
    f, rows = the_csv(rig)
    assert f["title"] == "Feedback talks and improvement plans · Growth · 2026-11"
    assert [(r["Member"], r["Talk status"], r["Improvement item"], r["Owner"], r["Due date"], r["Item status"])
            for r in rows] == [("Alice", "acknowledged", "Outline every draft", "Alice", "2026-12-09", "done"),
                               ("Alice", "acknowledged", "Weekly headline review", "Lena Lead", "2026-12-31", "open")]
    assert rows[0]["Starts"].startswith("2026-12-02T15:00") and rows[0]["Talk notes"].startswith("Drafts come late")
    assert "Only a supervisor" in export(rig, ALICE, "talks 2026-11")["text"]
    assert not rig.slack.files(ALICE)

    # 9. In January Lena's own item is overdue, and /opsbot status says so; Alice has none open.
    rig.clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI))
    assert "Improvement plans in the team: 1 item(s) open, 1 overdue" in status(rig, LEAD)
    assert "Improvement items you own" not in status(rig, ALICE)
