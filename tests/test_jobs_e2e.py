"""Scheduled jobs through the real app: who gets what, when, and only once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.db import transaction
from storage.models import ReminderLog
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI, TEAMS, USERS, make_rig, validate_all
from tests.helpers import all_text, button, buttons, dms

NEW_YORK = ZoneInfo("America/New_York")
# Thursday 26 November 2026 is a working day in China (and Thanksgiving in the US).
THU_10_SHANGHAI = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
THU_10_NEW_YORK = datetime(2026, 11, 26, 10, 0, tzinfo=NEW_YORK)


def reminders_to(rig, user):
    return [c for c in dms(rig.slack.calls(), user) if "topics this week" in c.params["text"]]


def test_the_quota_reminder_reaches_each_member_at_ten_in_their_own_zone_once(rig):
    rig.command(ALICE, "/topic", "One idea", channel=CHANNEL)
    rig.deliver()

    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI - timedelta(minutes=1))
    rig.deliver()
    assert reminders_to(rig, ALICE) == [], "09:59 in Shanghai is too early"

    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI)
    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI + timedelta(minutes=5))
    rig.deliver()
    [alice] = reminders_to(rig, ALICE)
    assert "1 of 3 topics" in alice.params["text"]
    assert buttons(alice.params) == ["Propose a topic", "Remind me later"]
    assert "Why you got this" in all_text(alice.params)
    assert reminders_to(rig, BOB) == [], "10:00 in Shanghai is 21:00 the evening before in New York"

    rig.app.jobs.run("quota-reminder", now=THU_10_NEW_YORK)
    rig.app.jobs.run("quota-reminder", now=THU_10_NEW_YORK + timedelta(hours=1))
    rig.deliver()
    [bob] = reminders_to(rig, BOB)
    assert "0 of 3 topics" in bob.params["text"]
    assert len(reminders_to(rig, ALICE)) == 1
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.job == "quota-reminder")) == 2


def test_members_at_quota_get_no_reminder(rig):
    for title in ("A", "B", "C"):
        rig.command(ALICE, "/topic", f"Idea {title}", channel=CHANNEL)
    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True)
    rig.deliver()
    assert reminders_to(rig, ALICE) == []
    assert len(reminders_to(rig, BOB)) == 1


def test_a_snoozed_reminder_comes_back_later(rig):
    rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI)
    rig.clock.set(THU_10_SHANGHAI + timedelta(minutes=2))
    rig.deliver()
    [first] = reminders_to(rig, ALICE)
    later = button(first.params, "Remind me later")
    r = rig.click(ALICE, "remind_later", later["value"], message=first)
    assert r.status == 200
    [ack] = rig.slack.responses(rig.last_response_url)
    assert "remind you again" in ack.params["text"]
    rig.click(ALICE, "remind_later", later["value"], message=first)  # a double click: still one snooze

    rig.clock.advance(timedelta(hours=2, minutes=50))
    rig.app.jobs.run_snoozes()
    rig.deliver()
    assert len(reminders_to(rig, ALICE)) == 1, "not before three hours"
    rig.clock.advance(timedelta(minutes=15))
    rig.app.jobs.run_snoozes()
    rig.app.jobs.run_snoozes()
    rig.deliver()
    again = reminders_to(rig, ALICE)
    assert len(again) == 2 and "0 of 3 topics" in again[-1].params["text"]


def test_the_quota_summary_posts_who_met_the_quota_without_mentions(rig):
    for title in ("A", "B", "C"):
        rig.command(ALICE, "/topic", f"Idea {title}", channel=CHANNEL)
    friday_6pm = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)
    rig.app.jobs.run("quota-summary", now=friday_6pm - timedelta(minutes=1))
    rig.app.jobs.run("quota-summary", now=friday_6pm)
    rig.app.jobs.run("quota-summary", now=friday_6pm + timedelta(hours=1))
    rig.deliver()
    posts = [c for c in rig.slack.calls("chat.postMessage")
             if c.params["channel"] == CHANNEL and "quota" in c.params["text"].lower()]
    assert len(posts) == 1
    text = all_text(posts[0].params)
    assert "1 of 2 members met" in text
    assert "✅ Alice — 3 / 3 this week" in text and "⬜ Bob — 0 / 3 this week" in text
    assert "<@" not in text


def test_the_weekly_plan_lists_approved_topics_and_moves_off_a_holiday(database_url):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "calendar": {"holidays": ["2026-11-30"]}}]}
    rig = make_rig(database_url, teams=teams).start()
    try:
        rig.command(ALICE, "/topic", "Carried idea", channel=CHANNEL)
        rig.click(LEAD, "topic_approve", "1")
        next_monday = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
        rig.app.jobs.run("weekly-plan", now=next_monday)
        rig.deliver()
        plans = [c for c in rig.slack.calls("chat.postMessage") if "Content plan" in all_text(c.params)]
        assert plans == [], "Monday 30 November is a holiday for this team; the plan waits for Tuesday"
        rig.app.jobs.run("weekly-plan", now=next_monday + timedelta(days=1))
        rig.app.jobs.run("weekly-plan", now=next_monday + timedelta(days=1, hours=2))
        rig.deliver()
        [plan] = [c for c in rig.slack.calls("chat.postMessage") if "Content plan" in all_text(c.params)]
        assert "Carried idea" in all_text(plan.params)
        validate_all(rig)
    finally:
        rig.stop()


def test_the_pending_nudge_tells_supervisors_about_items_older_than_a_day(rig):
    rig.command(ALICE, "/topic", "Waiting idea", channel=CHANNEL)
    tuesday_10 = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
    rig.app.jobs.run("pending-nudge", now=tuesday_10 - timedelta(hours=2))
    rig.app.jobs.run("pending-nudge", now=tuesday_10)
    rig.app.jobs.run("pending-nudge", now=tuesday_10 + timedelta(hours=1))
    rig.deliver()
    for sup in (LEAD, LEAD2):
        [nudge] = dms(rig.slack.calls(), sup)
        assert "Waiting idea" in all_text(nudge.params)
        assert "Remind me later" in buttons(nudge.params) or "稍后提醒" in buttons(nudge.params)


def test_a_member_who_left_the_workspace_is_skipped_and_reported_once(database_url):
    users = {**USERS, BOB: {**USERS[BOB], "deleted": True}}
    rig = make_rig(database_url, users=users).start()
    try:
        rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True)
        rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI + timedelta(days=7), manual=True)
        rig.deliver()
        assert dms(rig.slack.calls(), BOB) == []
        assert len(reminders_to(rig, ALICE)) == 2
        [report] = [c for c in dms(rig.slack.calls(), LEAD) if "left the Slack workspace" in c.params["text"]]
        assert "Bob" in report.params["text"]
        validate_all(rig)
    finally:
        rig.stop()


def test_a_week_with_no_working_days_has_no_quota_reminders(database_url):
    # China's National Day week 2026: 1-7 October are days off (the calendar
    # library's official schedule); make the whole Monday-Sunday week off.
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "calendar": {"holidays": ["2026-09-28", "2026-09-29", "2026-09-30"]}}]}
    rig = make_rig(database_url, teams=teams, start=datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)).start()
    try:
        [report] = rig.app.jobs.run("quota-reminder", now=datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI), manual=True)
        rig.deliver()
        assert report.sent == []
        assert dms(rig.slack.calls(), ALICE) == []
    finally:
        rig.stop()


def test_dms_use_each_persons_slack_locale_and_channel_posts_the_teams(database_url):
    users = {**USERS, ALICE: {**USERS[ALICE], "locale": "zh-CN"}, BOB: {**USERS[BOB], "locale": "fr-FR"}}
    rig = make_rig(database_url, users=users).start()
    try:
        rig.command(ALICE, "/topic", "双十二预热", channel=CHANNEL)
        rig.click(LEAD, "topic_approve", "1")
        rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True)
        rig.deliver()
        alice = dms(rig.slack.calls(), ALICE)
        assert alice and all(buttons(c.params) in ([], ["提交选题", "稍后提醒"]) for c in alice)
        assert any("通过" in c.params["text"] or "已通过" in all_text(c.params) for c in alice), \
            [c.params["text"] for c in alice]
        [bob] = reminders_to(rig, BOB)
        assert buttons(bob.params) == ["Propose a topic", "Remind me later"], "fr-FR falls back to the team's en"
        card = [c for c in rig.slack.calls() if c.method in ("chat.postMessage", "chat.update")
                and c.params.get("channel") == CHANNEL][-1]
        assert "Approved" in all_text(card.params), "the channel card stays in the team's locale"
        validate_all(rig)
    finally:
        rig.stop()


def test_a_reminder_job_that_fires_during_a_slack_outage_still_sends_once_slack_is_back(rig):
    rig.slack.set_outage(503)
    [report] = rig.app.jobs.run("quota-reminder", now=THU_10_SHANGHAI, manual=True)
    assert {user for user, _ in report.sent} == {ALICE, BOB}, "the job ran on cached profiles or the team's zone"
    rig.deliver()
    assert reminders_to(rig, ALICE) == []
    rig.slack.set_outage(None)
    rig.clock.advance(timedelta(seconds=10))
    rig.deliver()
    assert len(reminders_to(rig, ALICE)) == 1 and len(reminders_to(rig, BOB)) == 1


def test_a_forged_snooze_cannot_fetch_the_supervisors_pending_list(rig):
    rig.command(ALICE, "/topic", "Waiting idea", channel=CHANNEL)
    forged = '{"job":"pending-nudge","team":1,"period":"2026-11-24"}'
    rig.click(BOB, "remind_later", forged)
    [answer] = rig.slack.responses(rig.last_response_url)
    assert "could not find" in answer.params["text"]
    rig.clock.advance(timedelta(days=2))
    rig.app.jobs.run_snoozes()
    rig.deliver()
    assert [c for c in dms(rig.slack.calls(), BOB) if "Waiting idea" in all_text(c.params)] == []
