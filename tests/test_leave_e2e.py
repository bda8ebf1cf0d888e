"""Leave end to end (docs/PRODUCT.md §2.4): the request form, the overlap
refusal, the supervisor's card, and what approved leave does to the quota,
to reminders and to deadlines."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.kernel.team import team_view
from bot.workflows.leave.away import after_leave, days_away
from bot.workflows.topics.quota import progress_for
from storage.db import transaction
from storage.leave import Leave
from storage.models import Team
from tests.conftest import ALICE, BOB, CHANNEL, LEAD, LEAD2, SHANGHAI, TEAMS, USERS, make_rig
from tests.helpers import all_text, buttons, cards, dms

QUOTA_REMINDER = "topics this week"


def request(rig, user, start: str, end: str, reason="Family trip"):
    rig.command(user, "/leave", "", channel=CHANNEL)
    r = rig.submit(user, rig.last_view(), {"leave_start": start, "leave_end": end, "leave_reason": reason})
    rig.deliver()
    return r


def approve(rig, leave_id: int, by=LEAD):
    rig.click(by, "leave_approve", str(leave_id))
    rig.deliver()


def the_card(rig, leave_id: int):
    calls = [c for c in cards(rig.slack.calls(), CHANNEL) if f"Leave request #{leave_id}" in all_text(c.params)]
    assert calls, f"no card for leave #{leave_id}"
    return calls[-1]


def leaves(rig):
    with transaction(rig.app.db) as s:
        return s.scalars(select(Leave).order_by(Leave.id)).all()


def quota_reminders(rig, user):
    return [c for c in dms(rig.slack.calls(), user) if QUOTA_REMINDER in c.params["text"]]


def test_a_leave_request_posts_a_card_and_the_decision_tells_the_member(rig):
    r = request(rig, ALICE, "2026-11-25", "2026-11-27")
    assert r.status == 200 and r.body == "", r.body
    card = the_card(rig, 1)
    assert buttons(card.params) == ["Approve", "Reject", "Details"]
    assert "2026-11-25 – 2026-11-27 (3 working day(s))" in all_text(card.params)
    assert any("was sent to the supervisors" in c.params["text"] for c in dms(rig.slack.calls(), ALICE))

    rig.click(BOB, "leave_approve", "1", message=card)
    [answer] = rig.slack.responses(rig.last_response_url)
    assert "Only a supervisor" in answer.params["text"]
    rig.click(LEAD, "leave_approve", "1", message=card)
    rig.click(LEAD2, "leave_approve", "1", message=card)
    [late] = rig.slack.responses(rig.last_response_url)
    assert "已审批过该请假" in late.params["text"], "Li's Slack is in Chinese"
    rig.deliver()
    card = the_card(rig, 1)
    assert buttons(card.params) == ["Details"] and "Approved by Lena Lead" in all_text(card.params)
    [told] = [c for c in dms(rig.slack.calls(), ALICE) if "was approved" in c.params["text"]]
    assert "2026-11-25 – 2026-11-27" in told.params["text"]
    assert [lv.status for lv in leaves(rig)] == ["approved"]


def test_a_rejection_asks_for_a_reason_the_member_sees(rig):
    request(rig, BOB, "2026-12-01", "2026-12-01")
    rig.click(LEAD, "leave_reject", "1", message=the_card(rig, 1))
    rig.submit(LEAD, rig.last_view(), {"reason": "Launch day, sorry"})
    rig.deliver()
    [told] = [c for c in dms(rig.slack.calls(), BOB) if "was rejected" in c.params["text"]]
    assert "Launch day, sorry" in all_text(told.params)
    assert leaves(rig)[0].status == "rejected"


def test_leave_overlapping_a_pending_or_approved_one_is_a_field_error(rig):
    request(rig, ALICE, "2026-11-25", "2026-11-27")
    r = request(rig, ALICE, "2026-11-27", "2026-11-30", reason="Longer trip")
    assert r.json()["response_action"] == "errors"
    assert "overlaps your leave #1 (2026-11-25 – 2026-11-27" in r.json()["errors"]["leave_start"]
    approve(rig, 1)
    r = request(rig, ALICE, "2026-11-20", "2026-11-26")
    assert r.json()["response_action"] == "errors", "also a start in the past"
    r = request(rig, ALICE, "2026-11-26", "2026-11-26")
    assert "overlaps your leave #1" in r.json()["errors"]["leave_start"]
    # Another member's leave, or a cancelled one, does not stand in the way.
    assert request(rig, BOB, "2026-11-26", "2026-11-26").body == ""
    rig.command(ALICE, "/leave", "cancel 1", channel=CHANNEL)
    assert request(rig, ALICE, "2026-11-26", "2026-11-26").body == ""
    assert [(lv.user_id, lv.status) for lv in leaves(rig)] == [
        (ALICE, "cancelled"), (BOB, "pending"), (ALICE, "pending")]


def test_leave_list_and_cancel_own_pending_or_future_leave_only(rig):
    request(rig, ALICE, "2026-11-23", "2026-11-24")
    request(rig, ALICE, "2026-12-07", "2026-12-08")
    approve(rig, 1)
    approve(rig, 2)
    listing = rig.command(ALICE, "/leave", "list", channel=CHANNEL).json()
    assert "#1 2026-11-23 – 2026-11-24" in listing["text"] and "#2 2026-12-07 – 2026-12-08" in listing["text"]
    assert "`/leave cancel 2`" in listing["text"] and "`/leave cancel 1`" not in listing["text"]
    started = rig.command(ALICE, "/leave", "cancel 1", channel=CHANNEL).json()
    assert "already started" in started["text"]
    assert "You have no leave #2." in rig.command(BOB, "/leave", "cancel 2", channel=CHANNEL).json()["text"]
    done = rig.command(ALICE, "/leave", "cancel 2", channel=CHANNEL).json()
    assert "is cancelled" in done["text"]
    rig.deliver()
    assert "Cancelled by the requester" in all_text(the_card(rig, 2).params)
    assert any("cancelled leave #2" in c.params["text"] for c in dms(rig.slack.calls(), LEAD))
    assert [lv.status for lv in leaves(rig)] == ["approved", "cancelled"]


def _progress(rig, user):
    rig.command(user, "/topic", "One idea", channel=CHANNEL)
    return rig.command(user, "/topic", "list", channel=CHANNEL).json()["text"]


def test_the_weekly_quota_is_prorated_by_the_working_days_present_rounding_up(database_url):
    # Week of Monday 30 Nov 2026 (five working days), quota 3; the rig starts Monday 23 Nov.
    rig = make_rig(database_url).start()
    try:
        request(rig, ALICE, "2026-12-01", "2026-12-01")  # 1 day away: ceil(3 × 4/5) = 3
        request(rig, BOB, "2026-11-30", "2026-12-04")  # the whole week: no quota
        approve(rig, 1)
        approve(rig, 2)
        request(rig, LEAD, "2026-11-26", "2026-12-02")  # across two weeks: Thu–Fri, then Mon–Wed
        approve(rig, 3, by=LEAD2)
        with transaction(rig.app.db) as s:
            team = team_view(s.scalars(select(Team)).one())
            week1 = progress_for(s, team, [ALICE, BOB, LEAD], monday=date(2026, 11, 23))
            week2 = progress_for(s, team, [ALICE, BOB, LEAD], monday=date(2026, 11, 30))
        assert {u: p.quota for u, p in week1.items()} == {ALICE: 3, BOB: 3, LEAD: 2}  # ceil(3 × 3/5) = 2
        assert {u: p.quota for u, p in week2.items()} == {ALICE: 3, BOB: 0, LEAD: 2}  # ceil(3 × 2/5) = 2
        rig.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI))
        assert "1 / 0 this week" in _progress(rig, BOB)
        assert "1 / 3 this week" in _progress(rig, ALICE)
    finally:
        rig.stop()


def test_no_reminder_on_a_leave_day_and_one_on_the_day_the_member_is_back(rig):
    """The daily retrospective reminder skips Alice's leave day and comes when she returns."""
    rig.command(ALICE, "/activity", "", channel=CHANNEL)
    rig.submit(ALICE, rig.last_view(), {
        "activity_theme": "Campus meetup", "activity_format": "Offline", "activity_participants": [],
        "activity_start": datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI),
        "activity_end": datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI),
        "target_participants": 50, "target_engagement": 10, "target_conversion": 5})
    rig.click(LEAD, "activity_approve", "1")
    request(rig, ALICE, "2026-11-26", "2026-11-27")  # Thursday and Friday
    approve(rig, 1)
    asked = []
    for day in (25, 26, 27, 30):
        at = datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI)
        rig.clock.set(at)
        [report] = rig.app.jobs.run("retro-ask", now=at)
        rig.deliver()
        asked.append((day, [u for u, _ in report.sent], [why for u, why in report.skipped if u == ALICE]))
    assert asked == [(25, [ALICE], []), (26, [], ["on leave"]), (27, [], ["on leave"]), (30, [ALICE], [])]
    asks = [c for c in dms(rig.slack.calls(), ALICE) if "Write retrospective" in buttons(c.params)]
    assert len(asks) == 2 and "Reminder" in asks[1].params["text"]


def test_the_thursday_quota_reminder_skips_a_member_on_leave_and_reaches_them_on_their_first_day_back(rig):
    request(rig, ALICE, "2026-11-26", "2026-11-26")  # Thursday only
    approve(rig, 1)
    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    [nxt] = rig.app.jobs.next_runs(thursday + timedelta(hours=12), job="quota-reminder")
    assert nxt.at == datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), "a run on Friday for Alice's return"

    [report] = rig.app.jobs.run("quota-reminder", now=thursday)
    assert (ALICE, "on leave") in report.skipped
    rig.deliver()
    assert quota_reminders(rig, ALICE) == []
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    rig.app.jobs.run("quota-reminder", now=friday - timedelta(minutes=1))
    rig.app.jobs.run("quota-reminder", now=friday)
    rig.app.jobs.run("quota-reminder", now=friday + timedelta(hours=1))
    rig.deliver()
    [back] = quota_reminders(rig, ALICE)
    assert "0 of 3 topics" in back.params["text"]
    # Bob (in New York) got his on Thursday in his zone only; nothing twice.
    rig.app.jobs.run("quota-reminder", now=datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI) + timedelta(hours=13))
    rig.deliver()
    assert len(quota_reminders(rig, BOB)) == 1


def test_days_away_and_deadlines_moved_past_leave(database_url):
    rig = make_rig(database_url, teams=TEAMS).start()
    try:
        request(rig, ALICE, "2026-11-26", "2026-11-30")  # Thu–Mon, across a weekend
        request(rig, BOB, "2026-12-03", "2026-12-03")
        approve(rig, 1)  # Bob's stays pending: pending leave is not away
        with transaction(rig.app.db) as s:
            team = team_view(s.scalars(select(Team)).one())
            away = days_away(s, team.id, [ALICE, BOB], date(2026, 11, 23), date(2026, 12, 6))
            moved = after_leave(s, team.id, ALICE, date(2026, 11, 27), team.calendar)
            kept = after_leave(s, team.id, ALICE, date(2026, 11, 25), team.calendar)
        assert away == {ALICE: {date(2026, 11, d) for d in (26, 27, 28, 29, 30)}}
        assert moved == date(2026, 12, 1) and kept == date(2026, 11, 25)
    finally:
        rig.stop()


def test_a_double_submitted_leave_form_creates_one_request(rig):
    rig.command(ALICE, "/leave", "", channel=CHANNEL)
    modal = rig.last_view()
    values = {"leave_start": "2026-12-01", "leave_end": "2026-12-02", "leave_reason": "Trip"}
    start = threading.Barrier(2)
    replies = []

    def submit() -> None:
        start.wait()
        replies.append(rig.submit(ALICE, modal, values))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(leaves(rig)) == 1
    assert sorted(r.body == "" for r in replies) == [False, True]


def test_leave_on_days_off_only_is_refused_as_unneeded(rig):
    r = request(rig, ALICE, "2026-11-28", "2026-11-29")  # a weekend
    assert "no leave is needed" in r.json()["errors"]["leave_start"]
    assert leaves(rig) == []


def test_cards_and_reminders_speak_chinese_with_the_fixed_words(database_url):
    teams = {**TEAMS, "teams": [{**TEAMS["teams"][0], "locale": "zh-CN"}]}
    users = {**USERS, ALICE: {**USERS[ALICE], "locale": "zh-CN"}}
    rig = make_rig(database_url, teams=teams, users=users).start()
    try:
        rig.command(ALICE, "/activity", "", channel=CHANNEL)
        modal = rig.last_view()
        assert modal["title"]["text"] == "提交活动方案"
        rig.submit(ALICE, modal, {
            "activity_theme": "双十二直播", "activity_format": "直播", "activity_participants": [],
            "activity_start": datetime(2026, 11, 24, 14, 0, tzinfo=SHANGHAI),
            "activity_end": datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI),
            "target_participants": 50, "target_engagement": 10, "target_conversion": 5})
        request(rig, ALICE, "2026-11-30", "2026-11-30")
        rig.deliver()
        channel = [c for c in cards(rig.slack.calls(), CHANNEL)]
        assert [buttons(c.params) for c in channel] == [["通过", "需要修改", "驳回"], ["通过", "驳回", "详情"]]
        rig.click(LEAD, "activity_changes", "1", message=channel[0])
        rig.submit(LEAD, rig.last_view(), {"comment": "目标再高一点"})
        rig.deliver()
        [asked] = [c for c in dms(rig.slack.calls(), ALICE) if "重新提交" in buttons(c.params)]
        assert "目标再高一点" in all_text(asked.params)
    finally:
        rig.stop()
