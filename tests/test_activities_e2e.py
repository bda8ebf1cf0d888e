"""Activities end to end (docs/PRODUCT.md §2.3): the proposal form, the review
card with Approve / Request changes / Reject, rounds, and the retrospective
asked for on the first working day after the end, reminded daily."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.workflows.reviews.figures import member_figures
from storage.activities import Activity, ActivityRound
from storage.db import transaction
from storage.models import AuditEntry, Decision, ReminderLog
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI, TEAMS, make_rig
from tests.helpers import all_text, button, buttons, cards, dms

# Monday 23 Nov 2026 09:00 Shanghai is the rig's start.
START = datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI)  # Tuesday
END = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)  # Friday


def fill(**over):
    values = {
        "activity_theme": "Double 12 livestream",
        "activity_format": "Livestream",
        "activity_start": START,
        "activity_end": END,
        "activity_participants": [BOB],
        "target_participants": 200,
        "target_engagement": 35.5,
        "target_conversion": 12,
        "activity_resources": "Studio, 2 hosts, ¥5,000 vouchers",
    }
    values.update(over)
    return values


def the_card(rig, activity_id: int):
    calls = [c for c in cards(rig.slack.calls(), CHANNEL) if f"Activity #{activity_id} " in all_text(c.params)]
    assert calls, f"no card for activity #{activity_id}"
    return calls[-1]


def activities(rig):
    with transaction(rig.app.db) as s:
        return s.scalars(select(Activity).order_by(Activity.id)).all()


def propose(rig, user=ALICE, **over):
    r = rig.command(user, "/activity", "", channel=CHANNEL)
    assert r.status == 200, r.body
    modal = rig.last_view()
    r = rig.submit(user, modal, fill(**over))
    rig.deliver()
    return r


def retro_dms(rig, user=ALICE):
    return [c for c in dms(rig.slack.calls(), user) if "Write retrospective" in buttons(c.params)]


def test_the_activity_loop_with_a_request_for_changes_keeps_rounds_and_ends_approved(rig):
    r = propose(rig)
    assert r.status == 200 and r.body == "", r.body
    card = the_card(rig, 1)
    text = all_text(card.params)
    assert "Double 12 livestream" in text and "Livestream" in text and "200" in text and "35.5" in text
    assert buttons(card.params) == ["Approve", "Request changes", "Reject"]

    # Request changes: a comment is required.
    rig.click(LEAD, "activity_changes", "1", message=card)
    modal = rig.last_view()
    assert modal["title"]["text"] == "Request changes"
    r = rig.submit(LEAD, modal, {"comment": ""})
    assert r.json()["response_action"] == "errors" and "comment" in r.json()["errors"]
    assert rig.submit(LEAD, modal, {"comment": "Raise the participant target to 300"}).status == 200
    rig.deliver()
    card = the_card(rig, 1)
    assert card.method == "chat.update" and buttons(card.params) == []
    assert "Changes requested by Lena Lead" in all_text(card.params)
    [dm] = [c for c in dms(rig.slack.calls(), ALICE) if "asked for changes" in c.params["text"]]
    assert "Raise the participant target to 300" in all_text(dm.params)
    assert buttons(dm.params) == ["Resubmit"]

    # Resubmit from the DM: the modal is pre-filled with round 1 and the comment.
    rig.click(ALICE, "activity_resubmit", button(dm.params, "Resubmit")["value"], message=dm)
    modal = rig.last_view()
    assert "Raise the participant target to 300" in all_text(modal)
    themes = [b["element"].get("initial_value") for b in modal["blocks"] if b.get("block_id") == "activity_theme"]
    assert themes == ["Double 12 livestream"]
    r = rig.submit(ALICE, modal, {"target_participants": 300})
    assert r.status == 200 and r.body == "", r.body
    again = rig.submit(ALICE, modal, {"target_participants": 300})  # a double submission
    assert again.json()["response_action"] == "errors"
    rig.deliver()
    card = the_card(rig, 1)
    assert card.method == "chat.update", "the same card, updated in place"
    assert buttons(card.params) == ["Approve", "Request changes", "Reject"]
    assert "round 2" in all_text(card.params) and "Raise the participant target to 300" in all_text(card.params)

    rig.click(LEAD2, "activity_approve", "1", message=card)
    rig.click(LEAD, "activity_approve", "1", message=card)  # second supervisor: told who was first
    [late] = rig.slack.responses(rig.last_response_url)
    assert "already decided" in late.params["text"]
    rig.deliver()
    card = the_card(rig, 1)
    assert buttons(card.params) == [] and "Approved by Li Second" in all_text(card.params)
    assert any("was approved" in c.params["text"] for c in dms(rig.slack.calls(), ALICE))

    [a] = activities(rig)
    assert (a.status, a.round, a.targets["participants"]) == ("approved", 2, 300)
    with transaction(rig.app.db) as s:
        rounds = s.scalars(select(ActivityRound).order_by(ActivityRound.round)).all()
        decisions = s.scalars(select(Decision).order_by(Decision.id)).all()
    assert [(r.round, r.outcome, r.comment) for r in rounds] == [
        (1, "changes_requested", "Raise the participant target to 300"), (2, "approved", None)]
    assert rounds[0].content["targets"]["participants"] == 200
    assert [d.decision for d in decisions] == ["changes", "approved"]


def test_a_rejection_takes_a_reason_and_only_supervisors_decide(rig):
    propose(rig)
    card = the_card(rig, 1)
    rig.click(BOB, "activity_approve", "1", message=card)
    [answer] = rig.slack.responses(rig.last_response_url)
    assert "Only a supervisor" in answer.params["text"]
    rig.click(BOB, "activity_reject", "1", message=card)
    assert rig.opened_views()[-1]["callback_id"] == "activity_propose", "no reject form for Bob"
    rig.click(LEAD, "activity_reject", "1", message=card)
    modal = rig.last_view()
    rig.submit(LEAD, modal, {"reason": "Budget is spent for December"})
    rig.deliver()
    card = the_card(rig, 1)
    assert buttons(card.params) == [] and "Budget is spent for December" in all_text(card.params)
    [a] = activities(rig)
    assert a.status == "rejected"
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert {d.actor_id for d in denied} == {BOB}


def test_an_end_before_the_start_or_a_start_in_the_past_is_a_field_error_and_keeps_the_form(rig):
    r = rig.command(ALICE, "/activity", "", channel=CHANNEL)
    modal = rig.last_view()
    r = rig.submit(ALICE, modal, fill(activity_end=START - timedelta(hours=1)))
    assert r.json() == {"response_action": "errors", "errors": {"activity_end": "The end must be after the start."}}
    r = rig.submit(ALICE, modal, fill(activity_start=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)))
    assert r.json()["errors"] == {"activity_start": "The start cannot be in the past."}
    r = rig.submit(ALICE, modal, fill(target_conversion="lots"))
    assert list(r.json()["errors"]) == ["target_conversion"]
    assert activities(rig) == []


def test_the_retrospective_is_asked_on_the_first_working_day_after_a_friday_end_before_a_holiday_monday(
        database_url):
    # Monday 30 Nov 2026 is made a holiday: the first working day after Friday's end is Tuesday.
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "calendar": {"holidays": ["2026-11-30"]}}]}
    rig = make_rig(database_url, teams=teams).start()
    try:
        propose(rig)
        rig.click(LEAD, "activity_approve", "1")
        rig.deliver()
        for day in (27, 28, 29, 30):  # Friday (ends 18:00), weekend, the holiday
            rig.app.jobs.run("retro-ask", now=datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI))
            rig.app.jobs.run("retro-ask", now=datetime(2026, 11, day, 20, 0, tzinfo=SHANGHAI))
        rig.deliver()
        assert retro_dms(rig) == []
        tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
        rig.app.jobs.run("retro-ask", now=tuesday - timedelta(minutes=1))
        rig.deliver()
        assert retro_dms(rig) == [], "not before the daily hour"
        rig.clock.set(tuesday)
        rig.app.jobs.run("retro-ask", now=tuesday)
        rig.deliver()
        [ask] = retro_dms(rig)
        assert "has ended" in ask.params["text"] and buttons(ask.params) == ["Write retrospective", "Remind me later"]
        assert "Why you got this" in all_text(ask.params)

        rig.click(ALICE, "write_retro", "1", message=ask)
        modal = rig.last_view()
        labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
        assert labels[:3] == ["Actual participants (target 200)", "Actual engagement (target 35.5)",
                              "Actual conversion (target 12)"]
        r = rig.submit(ALICE, modal, {"actual_participants": 240, "actual_engagement": 31, "actual_conversion": 15,
                                      "retro_worked": "Hosts <!channel> were great", "retro_didnt": "Late start",
                                      "retro_improve": "Rehearse the day before"})
        assert r.status == 200 and r.body == "", r.body
        rig.deliver()
        [post] = [c for c in rig.slack.calls("chat.postMessage")
                  if c.params["channel"] == CHANNEL and "Retrospective" in all_text(c.params)]
        text = all_text(post.params)
        assert "Participants: 240 (target 200)" in text and "Conversion: 15 (target 12)" in text
        assert "&lt;!channel&gt;" in text and "<!channel>" not in text
        rig.app.jobs.run("retro-ask", now=tuesday + timedelta(days=1))
        rig.deliver()
        assert len(retro_dms(rig)) == 1, "no reminder once it is in"
    finally:
        rig.stop()


def test_retrospective_reminders_come_once_each_working_day_until_it_is_in_and_supervisors_see_it_overdue(rig):
    propose(rig)
    rig.click(LEAD, "activity_approve", "1")
    rig.deliver()
    # Ends Friday 27 Nov; first ask Monday 30 Nov, reminders Tuesday and Wednesday.
    for day in (30, 1, 2):
        month = 11 if day == 30 else 12
        at = datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)
        for _ in range(2):
            rig.app.jobs.run("retro-ask", now=at)
            rig.app.jobs.run("retro-ask", now=at + timedelta(hours=3))
    rig.deliver()
    asks = retro_dms(rig)
    assert len(asks) == 3
    assert "has ended" in asks[0].params["text"]
    assert all("Reminder" in c.params["text"] for c in asks[1:])
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.job == "retro-ask")) == 3

    # Monday 10:00 → Wednesday 10:00 is two working days after the first ask: overdue.
    for day in (1, 2):
        rig.clock.set(datetime(2026, 12, day, 10, 0, tzinfo=SHANGHAI))
        rig.app.jobs.run("pending-nudge")
        rig.deliver()
    [nudge] = [c for c in dms(rig.slack.calls(), LEAD) if "overdue" in c.params["text"]]
    assert nudge.params["text"] == "1 retrospective(s) in Growth are overdue.", "not a decision of theirs"
    text = all_text(nudge.params)
    assert "Overdue retrospective #1 Double 12 livestream" in text and "asked" in text
    assert "reminded each working day" in text and "Decide on the cards" not in text


def test_a_snoozed_retrospective_reminder_comes_back_unless_it_was_written(rig):
    propose(rig)
    rig.click(LEAD, "activity_approve", "1")
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    rig.clock.set(monday)
    rig.app.jobs.run("retro-ask", now=monday)
    rig.deliver()
    [ask] = retro_dms(rig)
    rig.click(ALICE, "remind_later", button(ask.params, "Remind me later")["value"], message=ask)
    [ok] = rig.slack.responses(rig.last_response_url)
    assert "remind you again" in ok.params["text"]
    rig.clock.advance(timedelta(hours=3, minutes=1))
    rig.app.jobs.run_snoozes()
    rig.deliver()
    assert len(retro_dms(rig)) == 2


def test_figures_count_the_approved_activities_that_ended_in_the_period(rig):
    propose(rig)  # ends Friday 27 Nov
    propose(rig, activity_theme="Rejected one")
    rig.click(LEAD, "activity_approve", "1")
    rig.click(LEAD, "activity_reject", "2")
    rig.submit(LEAD, rig.last_view(), {"reason": "No"})
    with transaction(rig.app.db) as s:
        nov = member_figures(s, 1, [ALICE, BOB], datetime(2026, 11, 1, tzinfo=SHANGHAI),
                             datetime(2026, 12, 1, tzinfo=SHANGHAI))
        dec = member_figures(s, 1, [ALICE], datetime(2026, 12, 1, tzinfo=SHANGHAI),
                             datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert (nov[ALICE].activities, nov[BOB].activities, dec[ALICE].activities) == (1, 0, 0)


def test_two_supervisors_deciding_an_activity_at_once_record_exactly_one_decision(rig):
    propose(rig)
    card = the_card(rig, 1)
    start = threading.Barrier(2)

    def press(user: str) -> None:
        start.wait()
        assert rig.click(user, "activity_approve", "1", message=card).status == 200

    threads = [threading.Thread(target=press, args=(u,)) for u in (LEAD, LEAD2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    rig.deliver()
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Decision.id)).where(Decision.item_kind == "activity")) == 1
    assert len([c for c in dms(rig.slack.calls(), ALICE) if "was approved" in c.params["text"]]) == 1
