"""The feedback talk (绩效反馈面谈, issue 18) end to end: after an evaluation a
supervisor schedules the talk (both hear it in their own zone, and are reminded
once on the day, never on leave), records the notes and an improvement plan,
the member acknowledges or objects (a revision is a new kept version), and each
item's owner is asked Done / Not yet on its due working day. Home shows the
open items; the next self-review carries them. Private to the member and the
team's supervisors; refusals store nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.db import transaction
from storage.feedback import FeedbackEvent, FeedbackTalk, ImprovementItem
from storage.leave import Leave
from storage.models import AuditEntry, Team
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI, TEAMS, USERS, make_rig
from tests.helpers import all_text, button, buttons, dms
from tests.test_home_e2e import open_home

BERLIN = ZoneInfo("Europe/Berlin")
CARL = "U0CARL"
# Alice is in Berlin (UTC+1 in December); the team and Lena are in Shanghai (UTC+8).
FB_USERS = {**USERS, ALICE: {**USERS[ALICE], "tz": "Europe/Berlin"},
            CARL: {"name": "carl", "real_name": "Carl", "tz": "Asia/Shanghai", "locale": "en-US"}}
# A second team, whose supervisor Eve is nobody in Growth.
FB_TEAMS = {**TEAMS, "teams": [TEAMS["teams"][0], {**TEAMS["teams"][0], "name": "Brand", "channel": "C0BRAND",
                                                   "supervisors": [EVE], "members": [CARL]}]}
# Monday 30 November 2026, the month-end day in China.
NOV_30 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
# The talk: Thursday 3 December, 15:00 in Shanghai = 08:00 in Berlin.
TALK_AT = datetime(2026, 12, 3, 15, 0, tzinfo=SHANGHAI)
SELF_REVIEW = {"rv_achievements": "Shipped the video series.", "rv_shortcomings": "Slow drafts.",
               "rv_plan": "Outline first.", "rv_score_performance": "85", "rv_score_ability": "80",
               "rv_score_attitude": "90"}
EVALUATION = {"rv_score_performance": "80", "rv_score_ability": "75", "rv_score_attitude": "90",
              "rv_comment": "Solid month; tighten the drafts."}
NOTES = "We talked about <drafts> & pacing."
PLAN = {"fb_notes": NOTES, "fb_item_1_text": "Outline every draft", "fb_item_1_due": "2026-12-11",
        "fb_item_2_text": "Pair with Li on headlines", "fb_item_2_owner": LEAD2, "fb_item_2_due": "2026-12-19"}


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=NOV_30 - timedelta(hours=1), users=FB_USERS, teams=FB_TEAMS).start()
    try:
        yield r
    finally:
        r.stop()


def dm_with(rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, [all_text(c.params) for c in dms(rig.slack.calls(), user)]
    return found[-1]


def texts(rig, user: str) -> list[str]:
    return [all_text(c.params) for c in dms(rig.slack.calls(), user)]


def press(rig, user: str, dm, label: str):
    b = button(dm.params, label)
    r = rig.click(user, b["action_id"], b["value"], message=dm)
    assert r.status == 200, r.body
    return r


def answer(rig) -> str:
    return rig.slack.responses(rig.last_response_url)[-1].params["text"]


def evaluated(rig, member: str = ALICE, month: str = "2026-11") -> None:
    """The member writes the month's self-review; Lena evaluates it."""
    rig.clock.set(NOV_30)
    r = rig.command(member, "/selfreview", month)
    assert r.status == 200 and r.body == "", r.body
    assert rig.submit(member, rig.last_view(), SELF_REVIEW).body == ""
    rig.deliver()
    press(rig, LEAD, dm_with(rig, LEAD, "Evaluate"), "Evaluate")
    assert rig.submit(LEAD, rig.last_view(), EVALUATION).body == ""
    rig.deliver()


def open_schedule(rig, user: str = LEAD, member: str = ALICE):
    r = rig.command(user, "/opsbot", f"talk <@{member}>")
    assert r.status == 200, r.body
    return r


def schedule(rig, at: datetime = TALK_AT, place: str = "Room 3") -> None:
    open_schedule(rig)
    r = rig.submit(LEAD, rig.last_view(), {"fb_talk_at": at, "fb_talk_place": place})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def talks(rig) -> list[FeedbackTalk]:
    with transaction(rig.app.db) as s:
        out = s.scalars(select(FeedbackTalk).order_by(FeedbackTalk.id)).all()
        s.expunge_all()
        return out


def items(rig) -> list[ImprovementItem]:
    with transaction(rig.app.db) as s:
        out = s.scalars(select(ImprovementItem).order_by(ImprovementItem.id)).all()
        s.expunge_all()
        return out


def history(rig) -> list[tuple[str, str]]:
    with transaction(rig.app.db) as s:
        return [(e.event, e.actor_id) for e in s.scalars(select(FeedbackEvent).order_by(FeedbackEvent.id))]


def record(rig, values: dict | None = None) -> None:
    rig.clock.set(TALK_AT + timedelta(minutes=45))
    press(rig, LEAD, dm_with(rig, LEAD, "Record notes"), "Record notes")
    r = rig.submit(LEAD, rig.last_view(), values or PLAN)
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def store(rig) -> tuple[int, int, int]:
    with transaction(rig.app.db) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (FeedbackTalk, ImprovementItem,
                                                                            FeedbackEvent))


def test_schedule_in_each_zone_refusals_store_nothing_and_moving_keeps_history(rig):
    r = open_schedule(rig)
    assert "<@U0ALICE> has no evaluated review to talk about yet." in r.body
    assert talks(rig) == []
    evaluated(rig)
    home = open_home(rig, LEAD)
    assert "review for 2026-11 is evaluated: schedule the feedback talk" in all_text(home)
    assert "Schedule talk: Alice" in buttons(home)

    open_schedule(rig)
    modal = rig.last_view()
    before = store(rig)
    r = rig.submit(LEAD, modal, {"fb_talk_at": NOV_30 - timedelta(hours=1), "fb_talk_place": "Room 3"})
    assert r.json()["errors"] == {"fb_talk_at": "Pick a time in the future."}
    # Alice (the member), Eve (Brand's supervisor) and Bob (a colleague) submit the modal: refused, nothing stored.
    for who in (ALICE, EVE, BOB):
        r = rig.submit(who, modal, {"fb_talk_at": TALK_AT})
        assert "Only a supervisor of <@U0ALICE>'s team can do that" in str(r.json()["errors"]), who
    assert store(rig) == before
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry.actor_id).where(AuditEntry.action == "feedback.schedule",
                                                             AuditEntry.outcome == "denied")).all()
    assert sorted(denied) == sorted([ALICE, EVE, BOB])

    r = rig.submit(LEAD, modal, {"fb_talk_at": TALK_AT, "fb_talk_place": "Room 3"})
    assert r.body == ""
    rig.deliver()
    [lena_dm] = [t for t in texts(rig, LEAD) if "feedback talk" in t]
    [alice_dm] = [t for t in texts(rig, ALICE) if "feedback talk" in t]
    assert "2026-12-03 15:00 (Asia/Shanghai)" in lena_dm and "<@U0ALICE>" in lena_dm and "Room 3" in lena_dm
    assert "2026-12-03 08:00 (Europe/Berlin)" in alice_dm and "<@U0LEAD>" in alice_dm
    assert not [t for t in texts(rig, BOB) + texts(rig, LEAD2) if "feedback talk" in t]

    # Moved: both hear the new time; the first is kept in the history.
    rig.slack.clear()
    schedule(rig, at=TALK_AT + timedelta(hours=1))
    assert any("is moved to" in t and "16:00 (Asia/Shanghai)" in t for t in texts(rig, LEAD))
    assert any("is moved to" in t and "09:00 (Europe/Berlin)" in t for t in texts(rig, ALICE))
    [t] = talks(rig)
    assert t.schedule_version == 2 and t.starts_at == TALK_AT + timedelta(hours=1)
    assert history(rig) == [("schedule", LEAD), ("reschedule", LEAD)]
    with transaction(rig.app.db) as s:
        moved = s.scalars(select(FeedbackEvent).where(FeedbackEvent.event == "reschedule")).one()
        assert moved.before["starts_at"].startswith("2026-12-03T07:00") and moved.after["place"] == "Room 3"


def test_the_reminder_comes_once_at_each_ones_hour_and_never_on_leave(rig):
    evaluated(rig)
    schedule(rig)
    rig.slack.clear()
    jobs = rig.app.jobs
    # 08:00 in Berlin is before Alice's daily hour: she is reminded the day before, at 10:00 in Berlin.
    jobs.run("talk-reminder", now=datetime(2026, 12, 2, 9, 59, tzinfo=BERLIN))
    rig.deliver()
    assert not [t for t in texts(rig, ALICE) if "Reminder" in t]
    for _ in range(2):
        jobs.run("talk-reminder", now=datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    assert len([t for t in texts(rig, ALICE) if "Reminder" in t]) == 1
    assert not [t for t in texts(rig, LEAD) if "Reminder" in t], "15:00 in Shanghai: Lena on the day"

    # Lena is on leave on the 3rd: no reminder that day.
    with transaction(rig.app.db) as s:
        team = s.scalar(select(Team).where(Team.name == "Growth"))
        s.add(Leave(team_id=team.id, user_id=LEAD, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3),
                    reason="x", status="approved", created_at=NOV_30))
    jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    assert not [t for t in texts(rig, LEAD) if "Reminder" in t]
    with transaction(rig.app.db) as s:
        s.query(Leave).delete()
    for _ in range(2):
        jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    [reminder] = [c for c in dms(rig.slack.calls(), LEAD) if "Reminder" in all_text(c.params)]
    assert "2026-12-03 15:00 (Asia/Shanghai)" in all_text(reminder.params)
    assert buttons(reminder.params) == ["Record notes"]
    assert len([t for t in texts(rig, ALICE) if "Reminder" in t]) == 1

    # Before the talk: nothing to record yet.
    press(rig, LEAD, reminder, "Record notes")
    assert "has not taken place yet" in answer(rig)


def test_notes_and_plan_field_errors_keep_input_then_acknowledge(rig):
    evaluated(rig)
    schedule(rig)
    rig.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    rig.clock.set(TALK_AT + timedelta(minutes=45))
    reminder = dm_with(rig, LEAD, "Record notes")
    # Bob cannot record Alice's talk.
    press(rig, BOB, reminder, "Record notes")
    assert "Only a supervisor of <@U0ALICE>'s team" in answer(rig)
    press(rig, LEAD, reminder, "Record notes")
    modal = rig.last_view()
    owners = [o["value"] for o in next(b for b in modal["blocks"] if b.get("block_id") == "fb_item_1_owner")
              ["element"]["options"]]
    assert owners == [ALICE, LEAD, LEAD2]
    before = store(rig)
    r = rig.submit(LEAD, modal, {**PLAN, "fb_item_2_due": None})
    assert r.json() == {"response_action": "errors", "errors": {"fb_item_2_due": "Pick a due date for this item."}}
    r = rig.submit(LEAD, modal, {**PLAN, "fb_item_3_due": "2026-12-20"})
    assert r.json()["errors"] == {"fb_item_3_text": "Describe this item, or clear its due date."}
    r = rig.submit(LEAD, modal, {**PLAN, "fb_item_1_due": "2026-12-01"})
    assert r.json()["errors"] == {"fb_item_1_due": "The due date cannot be in the past."}
    r = rig.submit(LEAD, modal, {**PLAN, "fb_item_1_owner": EVE})
    assert r.json()["errors"] == {"fb_item_1_owner": "The owner must be the member or a supervisor of the team."}
    r = rig.submit(LEAD, modal, {**PLAN, "fb_notes": " "})
    assert r.json()["errors"] == {"fb_notes": "Please fill this in."}
    assert store(rig) == before, "nothing stored on a field error"

    assert rig.submit(LEAD, modal, PLAN).body == ""
    rig.deliver()
    dm = dm_with(rig, ALICE, "Acknowledge")
    text = all_text(dm.params)
    assert "&lt;drafts&gt; &amp; pacing" in text or "<drafts> & pacing" in text
    assert "Outline every draft — owner <@U0ALICE>, due 2026-12-11" in text
    assert "Pair with Li on headlines — owner <@U0LEAD2>, due 2026-12-19" in text
    assert buttons(dm.params) == ["Acknowledge", "Object"]
    # Privacy: nothing of the notes anywhere but Alice's DM (no channel, no colleague).
    for c in rig.slack.calls():
        if c.params.get("channel") != ALICE and c.method.startswith("chat."):
            assert "pacing" not in all_text(c.params) and "Outline every draft" not in all_text(c.params)

    press(rig, BOB, dm, "Acknowledge")
    assert "Only <@U0ALICE> can answer their own feedback talk." in answer(rig)
    press(rig, ALICE, dm, "Acknowledge")
    assert answer(rig) == "Thank you: the notes and the plan are acknowledged."
    rig.deliver()
    assert any("acknowledged the notes" in t for t in texts(rig, LEAD))
    [t] = talks(rig)
    assert (t.status, t.plan_version, t.notes) == ("acknowledged", 1, NOTES)
    assert [(i.text, i.owner_id, i.due_date, i.status) for i in items(rig)] == [
        ("Outline every draft", ALICE, date(2026, 12, 11), "open"),
        ("Pair with Li on headlines", LEAD2, date(2026, 12, 19), "open")]
    assert history(rig) == [("schedule", LEAD), ("record", LEAD), ("acknowledge", ALICE)]


def test_an_objection_goes_to_the_supervisors_and_a_revision_is_a_new_kept_version(rig):
    evaluated(rig)
    schedule(rig)
    rig.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    record(rig)
    dm = dm_with(rig, ALICE, "Object")
    press(rig, ALICE, dm, "Object")
    modal = rig.last_view()
    r = rig.submit(ALICE, modal, {"fb_objection": ""})
    assert r.json()["errors"] == {"fb_objection": "Please fill this in."}
    assert rig.submit(ALICE, modal, {"fb_objection": "The 11th is too soon."}).body == ""
    rig.deliver()
    for sup, label in ((LEAD, "Revise plan"), (LEAD2, "修订计划")):  # Li reads Chinese
        back = dm_with(rig, sup, label)
        assert "The 11th is too soon." in all_text(back.params)
    press(rig, LEAD, dm_with(rig, LEAD, "Revise plan"), "Revise plan")
    revise = rig.last_view()
    filled = {b["block_id"]: b["element"].get("initial_value") or b["element"].get("initial_date")
              for b in revise["blocks"] if b["type"] == "input"}
    assert filled["fb_notes"] == NOTES.replace("<", "<") and filled["fb_item_1_due"] == "2026-12-11"
    assert rig.submit(LEAD, revise, {"fb_item_1_due": "2026-12-18"}).body == ""
    rig.deliver()
    # The old version's buttons answer nothing; the new one's do.
    press(rig, ALICE, dm, "Acknowledge")
    assert "newer version of this plan (version 2)" in answer(rig)
    press(rig, ALICE, dm_with(rig, ALICE, "Acknowledge"), "Acknowledge")
    assert [(i.version, i.due_date, i.status) for i in items(rig)] == [
        (1, date(2026, 12, 11), "replaced"), (1, date(2026, 12, 19), "replaced"),
        (2, date(2026, 12, 18), "open"), (2, date(2026, 12, 19), "open")]
    assert [e for e, _a in history(rig)] == ["schedule", "record", "object", "revise", "acknowledge"]


def followups(rig, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "Not yet" in buttons(c.params)]


def test_follow_up_on_the_due_working_day_not_yet_then_done_and_home(rig):
    evaluated(rig)
    schedule(rig)
    rig.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    # Item 1 due Saturday 12 December (a day off): asked on Monday the 14th.
    record(rig, {**PLAN, "fb_item_1_due": "2026-12-12"})
    press(rig, ALICE, dm_with(rig, ALICE, "Acknowledge"), "Acknowledge")
    rig.deliver()
    home = open_home(rig, ALICE)
    assert "Outline every draft — owner <@U0ALICE>, due 2026-12-12" in all_text(home)
    lead_home = open_home(rig, LEAD)
    assert "<@U0ALICE>: Pair with Li on headlines — owner <@U0LEAD2>" in all_text(lead_home)

    jobs = rig.app.jobs
    jobs.run("improvement-followup", now=datetime(2026, 12, 12, 10, 0, tzinfo=BERLIN))
    jobs.run("improvement-followup", now=datetime(2026, 12, 14, 9, 59, tzinfo=BERLIN))
    rig.deliver()
    assert not followups(rig, ALICE)
    for _ in range(2):
        jobs.run("improvement-followup", now=datetime(2026, 12, 14, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    [ask] = followups(rig, ALICE)
    assert "Improvement item due 2026-12-12: Outline every draft" in all_text(ask.params)
    assert not followups(rig, LEAD2), "Li's item is due on the 19th"

    # Only the owner (or a supervisor) answers.
    rig.clock.set(datetime(2026, 12, 14, 10, 5, tzinfo=BERLIN))
    press(rig, BOB, ask, "Done")
    assert "Only the item's owner <@U0ALICE> or a supervisor of the team can answer it." in answer(rig)
    press(rig, ALICE, ask, "Not yet")
    modal = rig.last_view()
    r = rig.submit(ALICE, modal, {"fb_followup_comment": "Half the drafts are outlined.", "fb_followup_due": "2026-12-14"})
    assert r.json()["errors"] == {"fb_followup_due": "Pick a day after today."}
    r = rig.submit(ALICE, modal, {"fb_followup_comment": "Half the drafts are outlined.",
                                  "fb_followup_due": "2026-12-16"})
    assert r.body == ""
    first = items(rig)[0]
    assert (first.status, first.due_date, first.comment) == ("open", date(2026, 12, 16), "Half the drafts are outlined.")
    jobs.run("improvement-followup", now=datetime(2026, 12, 15, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    assert len(followups(rig, ALICE)) == 1
    jobs.run("improvement-followup", now=datetime(2026, 12, 16, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    again = followups(rig, ALICE)
    assert len(again) == 2
    press(rig, ALICE, again[-1], "Done")
    assert answer(rig) == "Done: the item is closed."
    press(rig, ALICE, again[-1], "Done")
    assert "no longer open" in answer(rig)
    assert [i.status for i in items(rig)] == ["done", "open"]
    assert [e for e, _a in history(rig)][-2:] == ["item_not_yet", "item_done"]
    rig.deliver()
    assert "Outline every draft" not in all_text(open_home(rig, ALICE))


def test_nothing_of_the_talk_reaches_the_channel_or_a_colleague(rig):
    evaluated(rig)
    schedule(rig)
    # After the talk Home offers Record notes (no reminder needed).
    rig.clock.set(TALK_AT + timedelta(minutes=45))
    b = button(open_home(rig, LEAD), "Record notes: Alice")
    assert rig.click(LEAD, b["action_id"], b["value"], home=True).status == 200
    assert rig.submit(LEAD, rig.last_view(), PLAN).body == ""
    rig.deliver()
    assert "Acknowledge" in buttons(dm_with(rig, ALICE, "Acknowledge").params)
    posted = [c for c in rig.slack.calls() if c.params.get("channel") == CHANNEL]
    assert all("pacing" not in all_text(c.params) for c in posted)
    assert all("feedback talk" not in t and "pacing" not in t for t in texts(rig, BOB) + texts(rig, EVE))


def test_the_acknowledged_result_offers_the_supervisor_the_talk(rig):
    evaluated(rig)
    press(rig, ALICE, dm_with(rig, ALICE, "Acknowledge"), "Acknowledge")
    rig.deliver()
    ack = dm_with(rig, LEAD, "Schedule feedback talk")
    assert "acknowledged their review for" in all_text(ack.params)
    # Bob cannot use Lena's button; Lena gets the schedule modal.
    press(rig, BOB, ack, "Schedule feedback talk")
    assert "Only a supervisor of <@U0ALICE>'s team" in answer(rig)
    press(rig, LEAD, ack, "Schedule feedback talk")
    modal = rig.last_view()
    assert modal["callback_id"] == "feedback_talk_schedule"
    assert rig.submit(LEAD, modal, {"fb_talk_at": TALK_AT}).body == ""
    [t] = talks(rig)
    assert (t.user_id, t.status, t.place) == (ALICE, "scheduled", None)


def test_an_owner_on_leave_on_the_due_day_is_asked_on_the_first_working_day_back(rig):
    evaluated(rig)
    schedule(rig)
    rig.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    record(rig)  # item 1 is Alice's, due Friday 11 December
    with transaction(rig.app.db) as s:
        team = s.scalar(select(Team).where(Team.name == "Growth"))
        s.add(Leave(team_id=team.id, user_id=ALICE, start_date=date(2026, 12, 11), end_date=date(2026, 12, 14),
                    reason="x", status="approved", created_at=NOV_30))
    for day in (11, 14):
        rig.app.jobs.run("improvement-followup", now=datetime(2026, 12, day, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    assert not followups(rig, ALICE)
    for _ in range(2):
        rig.app.jobs.run("improvement-followup", now=datetime(2026, 12, 15, 10, 0, tzinfo=BERLIN))
    rig.deliver()
    [ask] = followups(rig, ALICE)
    assert "due 2026-12-11" in all_text(ask.params)
