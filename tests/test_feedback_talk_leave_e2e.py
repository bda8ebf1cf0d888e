"""The feedback talk's reminder and days away (docs/PRODUCT.md §2.5,
``talk-reminder``): each of the two people is reminded once, at their daily
hour in their own zone, on a working day, never on a day of their approved
leave. And the talk itself is never scheduled on a day off in the team's
calendar or on a day either of them is on leave: the modal stays open with the
reason under the date, and nothing is stored or sent. The leave is asked for
with ``/leave`` and approved with the card's button; the talk is scheduled in
the modal; the DMs are what the local Slack stand-in recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI, make_rig
from tests.helpers import all_text, dms
from tests.test_feedback_e2e import (
    BERLIN,
    FB_TEAMS,
    FB_USERS,
    NOV_30,
    evaluated,
    history,
    open_schedule,
    rig,
    schedule,
    store,
    talks,
)

__all__ = ["rig"]  # the fixture, shared with tests/test_feedback_e2e.py

# Thursday 3 December 2026, 18:00 in Shanghai = 11:00 in Berlin: after both daily hours (10:00),
# so Lena (Shanghai) and Alice (Berlin) are each reminded on the 3rd.
THU_TALK = datetime(2026, 12, 3, 18, 0, tzinfo=SHANGHAI)
# Monday 7 December, 09:00 in Shanghai (02:00 in Berlin): before the daily hour, and the day before is a Sunday.
MON_TALK = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)


def take_leave(rig, user: str, day: str, by: str = LEAD, leave: int = 1) -> None:
    """``user`` asks for ``day`` off with /leave; Lena (or ``by``) approves it on the card."""
    rig.command(user, "/leave", "", channel=CHANNEL)
    r = rig.submit(user, rig.last_view(), {"leave_start": day, "leave_end": day, "leave_reason": "Family"})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()
    r = rig.click(by, "leave_approve", str(leave))
    assert r.status == 200, r.body
    rig.deliver()
    assert any("was approved" in c.params["text"] for c in dms(rig.slack.calls(), user))


def reminders(rig, user: str) -> list[str]:
    return [all_text(c.params) for c in dms(rig.slack.calls(), user)
            if c.params["text"].startswith("Reminder: your feedback talk")]


def run(rig, *instants: datetime) -> list[tuple[str, str]]:
    """Run talk-reminder as of each instant (as the scheduler does); Growth's skips."""
    skipped = []
    for at in instants:
        rig.clock.set(at)
        [growth] = [r for r in rig.app.jobs.run("talk-reminder", now=at) if r.team == "Growth"]
        skipped += growth.skipped
        rig.deliver()
    return skipped


def the_day(talk_day: datetime) -> list[datetime]:
    """The reminder day's runs: each one's daily hour, then later that evening."""
    day = talk_day.date()
    return [datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI),
            datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN),
            datetime(day.year, day.month, day.day, 20, 0, tzinfo=BERLIN)]


def test_both_are_reminded_once_on_the_talks_day_when_nobody_is_away(rig):
    evaluated(rig)
    schedule(rig, at=THU_TALK)
    rig.slack.clear()
    run(rig, *the_day(THU_TALK))
    [lena] = reminders(rig, LEAD)
    [alice] = reminders(rig, ALICE)
    assert "with <@U0ALICE>" in lena and "2026-12-03 18:00 (Asia/Shanghai)" in lena
    assert "with <@U0LEAD>" in alice and "2026-12-03 11:00 (Europe/Berlin)" in alice


def test_a_member_on_leave_on_the_reminder_day_is_skipped_and_the_supervisor_still_reminded(rig):
    evaluated(rig)
    schedule(rig, at=THU_TALK)
    take_leave(rig, ALICE, "2026-12-03")
    rig.slack.clear()
    skipped = run(rig, *the_day(THU_TALK))
    assert (ALICE, "on leave") in skipped
    assert reminders(rig, ALICE) == []
    [lena] = reminders(rig, LEAD)
    assert "with <@U0ALICE>" in lena
    # Back on Friday the talk is over: nothing late, nothing twice.
    run(rig, datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN), datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI))
    assert reminders(rig, ALICE) == [] and len(reminders(rig, LEAD)) == 1


def test_a_monday_morning_talk_is_reminded_on_friday_never_on_the_weekend(rig):
    evaluated(rig)
    schedule(rig, at=MON_TALK)
    rig.slack.clear()
    thu_evening = datetime(2026, 12, 3, 20, 0, tzinfo=SHANGHAI)
    [planned] = [n for n in rig.app.jobs.next_runs(thu_evening, job="talk-reminder") if n.team == "Growth"]
    assert planned.at == datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    run(rig, *the_day(datetime(2026, 12, 4, tzinfo=SHANGHAI)))
    [lena] = reminders(rig, LEAD)
    [alice] = reminders(rig, ALICE)
    assert "2026-12-07 09:00 (Asia/Shanghai)" in lena and "2026-12-07 02:00 (Europe/Berlin)" in alice
    # A run on Sunday (a restart catching up) sends nothing more.
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
    run(rig, sunday, sunday + timedelta(hours=8))
    assert len(reminders(rig, LEAD)) == 1 and len(reminders(rig, ALICE)) == 1


def test_a_member_on_leave_on_that_friday_is_not_reminded_on_the_weekend_or_after_the_talk(rig):
    evaluated(rig)
    schedule(rig, at=MON_TALK)
    take_leave(rig, ALICE, "2026-12-04")
    rig.slack.clear()
    friday = the_day(datetime(2026, 12, 4, tzinfo=SHANGHAI))
    skipped = run(rig, *friday, datetime(2026, 12, 6, 10, 0, tzinfo=BERLIN),
                  datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN))
    assert (ALICE, "on leave") in skipped
    assert reminders(rig, ALICE) == []
    assert len(reminders(rig, LEAD)) == 1


# Saturday 5 December 2026: a day off in China's calendar (the team's country).
SAT_TALK = datetime(2026, 12, 5, 15, 0, tzinfo=SHANGHAI)


def refused(rig, at: datetime, who: str = LEAD) -> str:
    """``who`` submits the schedule modal for ``at``: the modal answers a field
    error under the date and time, nothing is stored and nobody hears a thing."""
    rig.slack.clear()
    open_schedule(rig, user=who)
    before = store(rig)
    r = rig.submit(who, rig.last_view(), {"fb_talk_at": at, "fb_talk_place": "Room 3"})
    assert r.status == 200
    answer = r.json()
    assert answer["response_action"] == "errors" and list(answer["errors"]) == ["fb_talk_at"], answer
    rig.deliver()
    assert store(rig) == before and talks(rig) == [] and history(rig) == []
    assert not [c for u in (ALICE, LEAD, LEAD2) for c in dms(rig.slack.calls(), u)]
    return answer["errors"]["fb_talk_at"]


def test_a_talk_on_the_members_leave_day_is_refused_under_the_date(rig):
    evaluated(rig)
    take_leave(rig, ALICE, "2026-12-03")
    assert refused(rig, THU_TALK) == "Alice is on leave that day (2026-12-03): pick another day."
    # Li reads it in Chinese (her Slack language).
    assert refused(rig, THU_TALK, who=LEAD2) == "Alice 当天（2026-12-03）休假：请另选一天。"
    # Another day works.
    schedule(rig, at=THU_TALK + timedelta(days=1))
    [t] = talks(rig)
    assert t.starts_at == THU_TALK + timedelta(days=1)


def test_a_talk_on_the_supervisors_own_leave_day_is_refused(rig):
    evaluated(rig)
    take_leave(rig, LEAD, "2026-12-03", by=LEAD2)
    assert refused(rig, THU_TALK) == "You are on leave that day (2026-12-03): pick another day."


def test_a_talk_on_a_day_off_in_the_teams_calendar_is_refused(rig):
    evaluated(rig)
    assert refused(rig, SAT_TALK) == ("2026-12-05 is not a working day in the team's calendar: "
                                      "pick another day.")
    # The team's zone decides the day: Friday 23:30 in Berlin is already Saturday in Shanghai.
    assert refused(rig, datetime(2026, 12, 4, 23, 30, tzinfo=BERLIN)).startswith("2026-12-05 is not a working")


def test_a_working_day_with_only_someone_else_away_schedules_as_before(rig):
    evaluated(rig)
    take_leave(rig, BOB, "2026-12-03")
    rig.slack.clear()
    schedule(rig, at=THU_TALK)
    [t] = talks(rig)
    assert (t.user_id, t.status, t.starts_at) == (ALICE, "scheduled", THU_TALK)
    assert [c for c in dms(rig.slack.calls(), ALICE) if "feedback talk" in c.params["text"]]
    assert [c for c in dms(rig.slack.calls(), LEAD) if "feedback talk" in c.params["text"]]


def test_a_saturday_the_team_works_is_a_day_for_a_talk(database_url):
    teams = {**FB_TEAMS, "teams": [{**FB_TEAMS["teams"][0], "calendar": {"workdays": ["2026-12-05"]}},
                                   *FB_TEAMS["teams"][1:]]}
    rig = make_rig(database_url, start=NOV_30 - timedelta(hours=1), users=FB_USERS, teams=teams).start()
    try:
        evaluated(rig)
        schedule(rig, at=SAT_TALK)
        [t] = talks(rig)
        assert t.starts_at == SAT_TALK
    finally:
        rig.stop()
