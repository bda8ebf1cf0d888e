"""/opsbot export content|activities|leave|reviews: known data in, the CSV a supervisor opens out."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.db import transaction
from storage.models import AuditEntry
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, TEAMS, make_rig
from tests.helpers import button
from tests.test_activities_e2e import END
from tests.test_activities_e2e import propose as propose_activity
from tests.test_content_e2e import (
    approved_draft,
    publish,
    request_changes,
    submit_draft,
    update_metrics_from_dm,
)
from tests.test_exports_e2e import export, read_csv
from tests.test_leave_e2e import approve as approve_leave
from tests.test_leave_e2e import request as request_leave
from tests.test_reviews_e2e import MONTH_END_10, button_of, dm_to, dm_with, evaluate, press, write_self_review


def the_csv(rig, user: str = LEAD) -> tuple[dict, list[dict[str, str]]]:
    [f] = rig.slack.files(user)[-1:]
    rows = read_csv(f["content"])
    return f, [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_content_export_has_rounds_time_in_review_publication_and_latest_metrics(rig):
    approved_draft(rig)  # one round, approved at once
    publish(rig, url="https://mp.example.com/s/双十二")
    update_metrics_from_dm(rig, {"metric_reads": "100", "metric_likes": "5", "metric_comments": "1",
                                 "metric_shares": "0"})
    rig.clock.advance(timedelta(hours=2))
    update_metrics_from_dm(rig, {"metric_reads": "1200", "metric_likes": "40", "metric_comments": "4",
                                 "metric_shares": "2"})
    rig.deliver()

    export(rig, LEAD, "content 2026-W48")
    f, rows = the_csv(rig)
    assert f["filename"] == "opsbot-Growth-content-2026-W48.csv"
    [row] = rows
    assert row["Title"] == "Onboarding video series" and row["Author"] == "Alice"
    assert (row["Status"], row["Rounds"], row["Platform"]) == ("approved", "1", "WeChat")
    assert row["URL"] == "https://mp.example.com/s/双十二", "Chinese text survives the round trip"
    assert (row["Reads"], row["Likes"], row["Comments"], row["Shares"]) == ("1200", "40", "4", "2"), "the latest"
    assert row["Hours in review"] == "0.0" and row["Approved by"] == "Lena Lead"
    assert row["Published at"].endswith("+08:00")


def test_content_export_counts_every_round(rig):
    from tests.test_content_e2e import approved_topic, resubmit
    approved_topic(rig)
    submit_draft(rig)
    rig.clock.advance(timedelta(hours=3))
    request_changes(rig, "Tighten the intro")
    resubmit(rig, "https://docs.example.com/d/onboarding-v2")
    export(rig, LEAD, "content")
    _f, [row] = the_csv(rig)
    assert (row["Status"], row["Rounds"], row["Hours in review"]) == ("in_review", "2", "3.0")
    assert row["Platform"] == row["Reads"] == ""


def test_activities_export_puts_targets_beside_the_retrospectives_actuals(rig):
    propose_activity(rig)
    card = [c for c in rig.slack.calls("chat.postMessage") if "Activity #1 " in str(c.params)][-1]
    rig.click(LEAD, "activity_approve", button(card.params, "Approve")["value"], message=card)
    rig.deliver()
    rig.clock.set(END + timedelta(days=3, hours=-7))  # Monday 30 Nov, 11:00
    rig.app.jobs.run("retro-ask", now=rig.clock.now())
    rig.deliver()
    from tests.test_activities_e2e import retro_dms
    dm = retro_dms(rig)[-1]
    b = button(dm.params, "Write retrospective")
    rig.click(ALICE, b["action_id"], b["value"], message=dm)
    r = rig.submit(ALICE, rig.last_view(), {
        "actual_participants": 180, "actual_engagement": 40, "actual_conversion": 9,
        "retro_worked": "主持人互动好", "retro_didnt": "Late start", "retro_improve": "Rehearse"})
    assert r.status == 200, r.body
    rig.deliver()

    export(rig, LEAD, "activities 2026-11")
    _f, [row] = the_csv(rig)
    assert (row["Theme"], row["Owner"], row["Status"], row["Rounds"]) == ("Double 12 livestream", "Alice", "approved",
                                                                            "1")
    assert (row["Target participants"], row["Actual participants"]) == ("200", "180")
    assert (row["Target engagement"], row["Actual engagement"]) == ("35.5", "40")
    assert row["Starts"].startswith("2026-11-24T14:00+08:00") and row["Retrospective at"]


def test_leave_export_has_days_status_and_who_decided(rig):
    request_leave(rig, ALICE, "2026-11-26", "2026-11-30", reason="回老家")
    request_leave(rig, BOB, "2026-12-01", "2026-12-01")
    approve_leave(rig, 1)
    export(rig, LEAD, "leave 2026-11")
    f, rows = the_csv(rig)
    assert [(r["Member"], r["First day"], r["Last day"], r["Working days"], r["Status"], r["Decided by"], r["Reason"])
            for r in rows] == [("Alice", "2026-11-26", "2026-11-30", "3", "approved", "Lena Lead", "回老家")], \
        "Thursday, Friday and Monday; Bob's December leave is outside November"
    assert "1 row(s)" in f["initial_comment"]


@pytest.fixture
def month_end_rig(database_url):
    r = make_rig(database_url, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        yield r
    finally:
        r.stop()


def test_reviews_export_has_scores_total_grade_objection_and_no_colleague_identities(month_end_rig):
    rig = month_end_rig
    rig.clock.set(MONTH_END_10)
    write_self_review(rig)
    press(rig, LEAD, dm_with(rig, LEAD, "Ask colleagues"), "Ask colleagues")
    assert rig.submit(LEAD, rig.last_view(), {"rv_peers": [BOB, LEAD2]}).body == ""
    rig.deliver()
    for peer, score in ((BOB, "80"), (LEAD2, "90")):
        b = button_of(dm_to(rig, peer, "peer_rate").params, "peer_rate")
        rig.click(peer, "peer_rate", b["value"])
        rig.submit(peer, rig.last_view(), {"rv_peer_score": score, "rv_comment": "Always helpful"})
    evaluate(rig)
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    assert rig.submit(ALICE, rig.last_view(), {"rv_reason": "Reads target met"}).body == ""
    rig.deliver()
    press(rig, LEAD, dm_with(rig, LEAD, "Confirm result"), "Confirm result")
    rig.submit(LEAD, rig.last_view(), {"rv_resolution": "The score stands."})
    rig.deliver()

    export(rig, LEAD, "reviews 2026-11")
    f, rows = the_csv(rig)
    [row] = [r for r in rows if r["Member"] == "Alice"]
    assert (row["Period"], row["Kind"], row["Status"]) == ("2026-11", "monthly", "final")
    assert (row["Self: performance"], row["Self: ability"], row["Self: attitude"]) == ("85", "80", "90")
    assert (row["Performance"], row["Ability"], row["Attitude"]) == ("80", "75", "90")
    assert row["Total"] == "81.00" and row["Grade"] == "A" and row["Evaluated by"] == "Lena Lead"
    assert (row["Colleagues' average"], row["Colleagues' ratings"]) == ("", "2"), "fewer than the team's minimum"
    assert row["Objected at"].startswith("2026-11-30") and row["Objection outcome"] == "confirmed"
    alices = ",".join(row.values())
    assert BOB not in alices and "Li Second" not in alices and LEAD2 not in alices, "no colleague is named"
    assert "Always helpful" not in f["content"].decode("utf-8-sig") and "Reads target met" not in alices


def test_reviews_are_refused_to_a_member_and_to_another_teams_supervisor(database_url):
    teams = copy.deepcopy(TEAMS)
    teams["teams"].append({
        "name": "Brand", "channel": "C0BRAND", "timezone": "Asia/Shanghai", "country": "CN", "locale": "zh-CN",
        "weekly_topic_quota": 2, "supervisors": [LEAD2], "members": [EVE],
    })
    teams["teams"][0]["supervisors"] = [LEAD]
    rig = make_rig(database_url, teams=teams).start()
    try:
        assert "Only a supervisor" in export(rig, ALICE, "reviews")["text"]
        assert "只能导出自己团队的数据" in export(rig, LEAD2, "reviews", channel=CHANNEL)["text"], "in LEAD2's Chinese"
        assert rig.slack.files() == []
        with transaction(rig.app.db) as s:
            denied = s.scalars(select(AuditEntry.actor_id).where(AuditEntry.action == "export",
                                                                 AuditEntry.outcome == "denied")).all()
        assert sorted(denied) == sorted([ALICE, LEAD2])
    finally:
        rig.stop()
