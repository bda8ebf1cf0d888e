"""Training and career development (issue 18, docs/RULES.md §五) end to end: a
supervisor announces a session, members answer on its card, an outsider is
refused, a supervisor records attendance, the self-review shows it as ability
evidence, joiners are reminded on the day (in Chinese for Li); and a member's
goals of the year, private to them and their supervisors, in the annual review."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry
from storage.training import CareerGoals, TrainingAnswer, TrainingAttendee, TrainingSession
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI
from tests.helpers import all_text, button, cards, dms
from tests.test_team_setup_e2e import field_error

START = datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI)  # Tuesday afternoon


def stored(rig, model) -> list:
    with transaction(rig.app.db) as s:
        found = list(s.scalars(select(model).order_by(model.id)))
        s.expunge_all()
        return found


def card(rig):
    found = [c for c in cards(rig.slack.calls(), CHANNEL) if "Writing headlines" in all_text(c.params)]
    assert found, "no training card"
    return found[0], all_text(found[-1].params)


def click(rig, user: str, label: str):
    first, _latest = card(rig)
    b = button(first.params, label)
    r = rig.click(user, b["action_id"], b["value"], message=first)
    assert r.status == 200, r.body
    rig.deliver()
    return r


def announce(rig) -> None:
    r = rig.command(LEAD, "/opsbot", "training", channel=CHANNEL)
    assert r.status == 200 and r.body == "", r.body
    modal = rig.last_view()
    values = {"training_topic": "Writing headlines", "training_place": "Room 3 or https://meet.example/h",
              "training_description": "Bring two headlines <!channel>", "training_start": datetime(2026, 11, 20, 15, 0,
                                                                                                  tzinfo=SHANGHAI)}
    field, message = field_error(rig.submit(LEAD, modal, values))
    assert field == "training_start" and "in the future" in message
    assert stored(rig, TrainingSession) == []
    done = rig.submit(LEAD, modal, {**values, "training_start": START}).json()
    assert done["response_action"] == "update" and f"<#{CHANNEL}>" in all_text(done["view"])
    rig.deliver()


def test_a_session_is_announced_answered_attended_and_shown_in_the_self_review(rig):
    denied = rig.command(ALICE, "/opsbot", "training", channel=CHANNEL).json()
    assert "Only a supervisor of this team can announce" in denied["text"]
    announce(rig)
    _first, text = card(rig)
    assert "Writing headlines" in text and "0 joining" in text and "Room 3" in text
    assert "<!date^" in json.dumps(_first.params) and "<!channel>" not in json.dumps(_first.params)

    click(rig, ALICE, "Join")
    click(rig, BOB, "Can't make it")
    assert "1 joining · ❌ 1 can't make it" in card(rig)[1]
    click(rig, BOB, "Join")  # a second click changes the answer
    click(rig, LEAD2, "Join")
    assert "3 joining · ❌ 0 can't make it" in card(rig)[1]
    r = click(rig, EVE, "Join")
    assert "Only members of Growth can answer" in r.json()["text"]
    assert sorted((a.user_id, a.joining) for a in stored(rig, TrainingAnswer)) == [
        (ALICE, True), (BOB, True), (LEAD2, True)]
    with transaction(rig.app.db) as s:
        [denied] = s.scalars(select(AuditEntry).where(AuditEntry.action == "training.join",
                                                      AuditEntry.outcome == "denied")).all()
        assert denied.actor_id == EVE

    # Attendance: refused for a member; a supervisor only once it has started.
    r = click(rig, ALICE, "Record attendance")
    assert "Only a supervisor of Growth can record attendance" in r.json()["text"]
    r = click(rig, LEAD, "Record attendance")
    assert "once the session has started" in r.json()["text"]

    _reminders(rig)

    rig.clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=SHANGHAI))
    r = click(rig, ALICE, "Can't make it")  # answers close when it starts
    assert "answers are closed" in r.json()["text"]
    assert [a.joining for a in stored(rig, TrainingAnswer) if a.user_id == ALICE] == [True]
    opened = len(rig.opened_views())
    click(rig, LEAD, "Record attendance")
    assert len(rig.opened_views()) == opened + 1
    modal = rig.last_view()
    [pick] = [b["element"] for b in modal["blocks"] if b.get("block_id") == "training_attendees"]
    assert pick["initial_users"] == sorted([ALICE, BOB, LEAD2])
    field, message = field_error(rig.submit(LEAD, modal, {"training_attendees": [ALICE, EVE]}))
    assert field == "training_attendees" and "is not in Growth" in message
    assert stored(rig, TrainingAttendee) == []
    done = rig.submit(LEAD, modal, {"training_attendees": [ALICE]}).json()
    assert "1 attended" in all_text(done["view"])
    rig.deliver()
    assert [a.user_id for a in stored(rig, TrainingAttendee)] == [ALICE]
    assert "Attendance recorded: 1 attended" in card(rig)[1]
    click(rig, LEAD2, "Record attendance")  # Li reads Chinese
    assert "出勤" in all_text(rig.last_view())

    # Month-end: the month's report counts the session and who came; Alice's self-review
    # shows it as ability evidence; Bob's does not.
    rig.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    rig.command(LEAD, "/opsbot", "report month", channel=CHANNEL)
    rig.deliver()
    [report] = rig.slack.files(CHANNEL)
    assert "*Training*: 1 session(s) held, 1 attendance(s) recorded." in report["initial_comment"]
    rig.command(ALICE, "/selfreview")
    shown = all_text(rig.last_view())
    assert "Training attended this month" in shown and "Writing headlines" in shown
    rig.command(BOB, "/selfreview")
    assert "Writing headlines" not in all_text(rig.last_view())


def _reminders(rig) -> None:
    """Tuesday: before the daily hour nothing; at 10:00 Shanghai Alice and Li (in Chinese), once.
    Bob, in New York, is still on Monday then; by his 10:00 the session has started."""
    def reminders(user: str) -> list[str]:
        return [all_text(c.params) for c in dms(rig.slack.calls(), user) if "Writing headlines" in all_text(c.params)]

    for hour in (9, 10, 11):
        when = datetime(2026, 11, 24, hour, 0, tzinfo=SHANGHAI)
        rig.clock.set(when)
        rig.app.jobs.run("training-reminder", now=when)
        rig.deliver()
        if hour == 9:
            assert reminders(ALICE) == []
    [alice] = reminders(ALICE)
    assert "Today: training session" in alice
    [li] = reminders(LEAD2)
    assert "培训" in li
    assert reminders(BOB) == []


def goals_text(modal) -> str | None:
    [b] = [b for b in modal["blocks"] if b.get("block_id") == "career_goals"]
    return b["element"].get("initial_value")


def test_goals_are_private_and_shown_in_the_annual_review(rig):
    rig.command(ALICE, "/opsbot", "goals", channel=CHANNEL)
    modal = rig.last_view()
    six = "\n".join(f"Goal {n}" for n in range(1, 7))
    field, message = field_error(rig.submit(ALICE, modal, {"career_goals": six}))
    assert field == "career_goals" and "at most 5 goals" in message
    field, message = field_error(rig.submit(ALICE, modal, {"career_goals": "Lead a campaign\n" + "x" * 301}))
    assert field == "career_goals" and "Line 2" in message
    assert stored(rig, CareerGoals) == []
    goals = "Lead a campaign <!here>\n\nLearn SQL for the dashboards\nMentor the next new member"
    done = rig.submit(ALICE, modal, {"career_goals": goals}).json()
    assert done["response_action"] == "update" and "3 goal(s)" in all_text(done["view"])
    [row] = stored(rig, CareerGoals)
    assert (row.user_id, row.year, row.goals) == (ALICE, 2026, ["Lead a campaign <!here>",
                                                                  "Learn SQL for the dashboards",
                                                                  "Mentor the next new member"])
    rig.command(ALICE, "/opsbot", "goals", channel=CHANNEL)
    assert goals_text(rig.last_view()) == "Lead a campaign &lt;!here&gt;\nLearn SQL for the dashboards\nMentor the next new member"

    # Bob cannot open Alice's; Lena (her supervisor) reads them, without a way to change them.
    denied = rig.command(BOB, "/opsbot", f"goals <@{ALICE}>", channel=CHANNEL).json()
    assert "private to them and their team's supervisors" in denied["text"]
    rig.command(LEAD, "/opsbot", f"goals <@{ALICE}|alice>", channel=CHANNEL)
    readonly = rig.last_view()
    assert "Learn SQL for the dashboards" in all_text(readonly) and "submit" not in readonly
    assert "<!here>" not in json.dumps(readonly)
    rig.command(BOB, "/opsbot", "goals", channel=CHANNEL)
    assert not goals_text(rig.last_view())

    # The annual review: Lena sees Alice's goals where she writes the annual comment; Bob's shows none of them.
    dec = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    rig.clock.set(dec)
    rig.app.jobs.run("annual-review", now=dec)
    rig.deliver()
    for member, expect in ((ALICE, True), (BOB, False)):
        [ask] = [c for c in dms(rig.slack.calls(), LEAD) if "year 2026" in c.params["text"]
                 and f"<@{member}>" in c.params["text"]]
        b = button(ask.params, "Evaluate")
        rig.click(LEAD, b["action_id"], b["value"], message=ask)
        shown = all_text(rig.last_view())
        assert "Career development goals" in shown and "Annual comment" in shown
        assert ("Learn SQL for the dashboards" in shown) is expect
