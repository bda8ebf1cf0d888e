"""Monthly and annual performance reviews end to end: signed requests into the
running app, what each person sees in Slack, and what the store keeps."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.db import transaction
from storage.models import AuditEntry, ReminderLog
from storage.reviews import PeerRating, Review, ReviewEvent
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI, USERS, make_rig
from tests.helpers import all_text, button, buttons, dms

NEW_YORK = ZoneInfo("America/New_York")
# November 2026's month-end day in China is Monday 30 November.
MONTH_END_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)

SELF_REVIEW = {
    "rv_achievements": "Shipped the onboarding video series; <!channel> reads doubled.",
    "rv_shortcomings": "Two drafts needed three rounds.",
    "rv_plan": "Outline before writing; ask for early feedback.",
    "rv_score_performance": "85",
    "rv_score_ability": "80",
    "rv_score_attitude": "90",
}
EVALUATION = {
    "rv_score_performance": "80",
    "rv_score_ability": "75",
    "rv_score_attitude": "90",
    "rv_comment": "Solid month; tighten the drafts.",
}


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=MONTH_END_10 - timedelta(hours=1)).start()
    try:
        yield r
    finally:
        r.stop()


def reviews(rig) -> list[Review]:
    with transaction(rig.app.db) as s:
        return s.scalars(select(Review).order_by(Review.id)).all()


def dm_with(rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, f"no DM to {user} with {label!r}: {[c.params['text'] for c in dms(rig.slack.calls(), user)]}"
    return found[-1]


def button_of(payload, action_id: str):
    for b in payload.get("blocks") or []:
        for el in b.get("elements", []) if b.get("type") == "actions" else []:
            if el.get("action_id") == action_id:
                return el
    raise AssertionError(f"no {action_id} button")


def dm_to(rig, user: str, action_id: str):
    for c in reversed(dms(rig.slack.calls(), user)):
        try:
            button_of(c.params, action_id)
            return c
        except AssertionError:
            continue
    raise AssertionError(f"no DM to {user} with a {action_id} button")


def press(rig, user: str, dm, label: str):
    b = button(dm.params, label)
    r = rig.click(user, b["action_id"], b["value"], message=dm)
    assert r.status == 200, r.body
    return r


def answer(rig) -> str:
    [a] = rig.slack.responses(rig.last_response_url)
    return a.params["text"]


def write_self_review(rig, user=ALICE, values=None):
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    press(rig, user, dm_with(rig, user, "Write self-review"), "Write self-review")
    r = rig.submit(user, rig.last_view(), values or SELF_REVIEW)
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def evaluate(rig, values=None):
    press(rig, LEAD, dm_with(rig, LEAD, "Evaluate"), "Evaluate")
    r = rig.submit(LEAD, rig.last_view(), values or EVALUATION)
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def test_the_monthly_cycle_from_prompt_to_acknowledged_result(rig):
    rig.command(ALICE, "/topic", "Onboarding video series", channel=CHANNEL)
    rig.deliver()
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10 - timedelta(minutes=1))
    rig.deliver()
    assert [c for c in dms(rig.slack.calls(), ALICE) if "self-review" in c.params["text"]] == []

    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10 + timedelta(minutes=5))
    rig.deliver()
    prompt = dm_with(rig, ALICE, "Write self-review")
    assert "2026-11" in prompt.params["text"] and "due 2026-12-03" in prompt.params["text"]
    assert buttons(prompt.params) == ["Write self-review", "Remind me later"]
    assert len([c for c in dms(rig.slack.calls(), ALICE) if "Write self-review" in buttons(c.params)]) == 1
    assert not [c for c in dms(rig.slack.calls(), BOB) if "self-review" in c.params["text"]], "10:00 in New York later"

    press(rig, ALICE, prompt, "Write self-review")
    modal = rig.last_view()
    shown = all_text(modal)
    assert "Topics proposed 1" in shown and "Total reads 0" in shown and "Activities 0" in shown
    labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert labels == ["Achievements", "Shortcomings", "Improvement plan", "Performance (0–100)",
                      "Ability (0–100)", "Attitude (0–100)"]

    bad = dict(SELF_REVIEW, rv_score_ability="101")
    r = rig.submit(ALICE, modal, bad)
    assert r.json() == {"response_action": "errors", "errors": {"rv_score_ability": "Enter a whole number from 0 to 100."}}
    assert reviews(rig)[0].status == "not_started"

    r = rig.submit(ALICE, modal, SELF_REVIEW)
    assert r.status == 200 and r.body == ""
    rig.deliver()
    [review] = reviews(rig)
    assert review.status == "self_review_in" and review.self_scores == {"performance": 85, "ability": 80, "attitude": 90}

    # She may revise until it is evaluated.
    rig.command(ALICE, "/selfreview")
    again = rig.last_view()
    assert any(b.get("element", {}).get("initial_value") == SELF_REVIEW["rv_plan"] for b in again["blocks"])
    rig.submit(ALICE, again, dict(SELF_REVIEW, rv_plan="Outline first, always."))
    rig.deliver()
    assert reviews(rig)[0].improvement_plan == "Outline first, always."

    assert buttons(dm_with(rig, LEAD, "Evaluate").params) == ["Evaluate", "Ask colleagues"]
    assert "评价" in buttons(dm_to(rig, LEAD2, "review_evaluate").params), "Li reads Chinese"
    evaluate(rig)
    [review] = reviews(rig)
    # 0.6 × 80 + 0.2 × 75 + 0.2 × 90 = 81.00 → A
    assert (review.status, review.total_centi, review.grade, review.evaluator_id) == ("evaluated", 8100, "A", LEAD)

    result = dm_with(rig, ALICE, "Acknowledge")
    assert buttons(result.params) == ["Acknowledge", "Object"]
    text = all_text(result.params)
    assert "Total 81.00" in text and "Grade A" in text and "tighten the drafts" in text

    # The self-review is closed once evaluated.
    r = rig.command(ALICE, "/selfreview")
    assert "can no longer be changed" in r.json()["text"]

    press(rig, ALICE, result, "Acknowledge")
    assert "acknowledged" in answer(rig)
    rig.deliver()
    [review] = reviews(rig)
    assert review.status == "acknowledged"
    assert any("acknowledged their review" in c.params["text"] for c in dms(rig.slack.calls(), LEAD))
    with transaction(rig.app.db) as s:
        events = [e.event for e in s.scalars(select(ReviewEvent).order_by(ReviewEvent.id))]
    assert events == ["self_review", "self_review_revised", "evaluate", "acknowledge"]

    # Nothing of it ever went to a channel.
    for c in rig.slack.calls():
        if c.method in ("chat.postMessage", "chat.update") and c.params.get("channel") == CHANNEL:
            assert "onboarding video series; " not in all_text(c.params)
            assert "Grade" not in all_text(c.params)


def test_the_objection_loop_ends_in_a_final_revised_result_with_its_history(rig):
    write_self_review(rig)
    evaluate(rig)
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    modal = rig.last_view()
    r = rig.submit(ALICE, modal, {"rv_reason": ""})
    assert r.json()["errors"] == {"rv_reason": "Please fill this in."}
    r = rig.submit(ALICE, modal, {"rv_reason": "The reads target was met; performance deserves more."})
    assert r.body == ""
    rig.deliver()
    assert reviews(rig)[0].status == "objected"

    objection = dm_with(rig, LEAD, "Revise result")
    assert buttons(objection.params) == ["Confirm result", "Revise result"]
    assert "performance deserves more" in all_text(objection.params)

    press(rig, LEAD, objection, "Revise result")
    modal = rig.last_view()
    initial = {b["block_id"]: b["element"].get("initial_value") for b in modal["blocks"] if b["type"] == "input"}
    assert initial["rv_score_performance"] == "80", "the evaluation form opens pre-filled"
    r = rig.submit(LEAD, modal, dict(EVALUATION, rv_score_performance="90", rv_resolution=""))
    assert r.json()["errors"] == {"rv_resolution": "Please fill this in."}
    r = rig.submit(LEAD, modal, dict(EVALUATION, rv_score_performance="90", rv_resolution="Agreed, reads count."))
    assert r.body == ""
    rig.deliver()

    [review] = reviews(rig)
    # 0.6 × 90 + 0.2 × 75 + 0.2 × 90 = 87.00 → A
    assert (review.status, review.resolution, review.total_centi, review.grade) == ("final", "revised", 8700, "A")
    told = [c for c in dms(rig.slack.calls(), ALICE) if "objection" in c.params["text"]][-1]
    assert "revised" in told.params["text"] and "Agreed, reads count." in all_text(told.params)
    assert "final" in all_text(told.params) and buttons(told.params) == []

    # The second supervisor's buttons no longer decide anything.
    rig.click(LEAD2, "review_confirm", str(review.id))
    assert "该考核已进入下一阶段" in answer(rig), "Li is answered in Chinese"
    with transaction(rig.app.db) as s:
        history = [(e.event, e.snapshot["status"]) for e in s.scalars(select(ReviewEvent).order_by(ReviewEvent.id))]
    assert history == [("self_review", "self_review_in"), ("evaluate", "evaluated"), ("object", "objected"),
                       ("revise", "final")]


def test_a_confirmed_objection_keeps_the_result_and_tells_the_member(rig):
    write_self_review(rig)
    evaluate(rig)
    press(rig, ALICE, dm_with(rig, ALICE, "Object"), "Object")
    rig.submit(ALICE, rig.last_view(), {"rv_reason": "Too low."})
    rig.deliver()
    press(rig, LEAD, dm_with(rig, LEAD, "Confirm result"), "Confirm result")
    rig.submit(LEAD, rig.last_view(), {"rv_resolution": "The drafts needed too many rounds."})
    rig.deliver()
    [review] = reviews(rig)
    assert (review.status, review.resolution, review.grade) == ("final", "confirmed", "A")
    told = [c for c in dms(rig.slack.calls(), ALICE) if "objection" in c.params["text"]][-1]
    assert "confirmed" in told.params["text"] and "too many rounds" in all_text(told.params)


def test_someone_elses_review_is_refused_and_audited(rig):
    write_self_review(rig)
    [review] = reviews(rig)
    # Bob forges a button value with Alice's review id; Eve is in no team.
    for user, action in ((BOB, "review_write"), (BOB, "review_evaluate"), (EVE, "review_evaluate"),
                         (ALICE, "review_evaluate")):
        rig.click(user, action, str(review.id))
        assert "private" in answer(rig) or "not yours" in answer(rig)
    r = rig.command(BOB, "/selfreview", str(review.id))
    assert "not yours" in r.json()["text"]
    r = rig.command(BOB, "/opsbot", "reviews")
    assert "Only a team's supervisors" in r.json()["text"]
    assert all(v.get("callback_id") != "review_evaluation" for v in rig.opened_views())
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert {(a.actor_id, a.action) for a in denied} >= {(BOB, "review.self_review"), (BOB, "review.evaluate"),
                                                        (EVE, "review.evaluate"), (ALICE, "review.evaluate"),
                                                        (BOB, "review.status")}
    assert reviews(rig)[0].status == "self_review_in"


def test_supervisors_see_every_members_status_for_the_month(rig):
    write_self_review(rig)
    r = rig.command(LEAD, "/opsbot", "reviews 2026-11")
    assert r.json()["text"] == "Sent to you by DM: reviews are private."
    rig.deliver()
    [answer] = [c for c in dms(rig.slack.calls(), LEAD) if "Reviews of Growth" in c.params["text"]]
    text = answer.params["text"]
    assert "due 2026-12-03" in text and "evaluations due 2026-12-07" in text
    assert f"<@{ALICE}> — Self-review in" in text and f"<@{BOB}> — Not started" in text


def test_peer_ratings_are_anonymous_to_the_member(rig):
    write_self_review(rig)
    press(rig, LEAD, dm_with(rig, LEAD, "Ask colleagues"), "Ask colleagues")
    modal = rig.last_view()
    r = rig.submit(LEAD, modal, {"rv_peers": [ALICE]})
    assert r.json()["errors"] == {"rv_peers": "A member cannot rate their own review."}
    r = rig.submit(LEAD, modal, {"rv_peers": [BOB, LEAD2]})
    assert r.body == ""
    r = rig.submit(LEAD, modal, {"rv_peers": [BOB]})
    assert "already asked" in r.json()["errors"]["rv_peers"]
    rig.deliver()

    for peer, score, comment in ((BOB, "80", "Always helpful"), (LEAD2, "90", "")):
        b = button_of(dm_to(rig, peer, "peer_rate").params, "peer_rate")
        rig.click(ALICE, "peer_rate", b["value"])  # the member cannot rate for a colleague
        assert "not yours" in answer(rig)
        rig.click(peer, "peer_rate", b["value"])
        rig.submit(peer, rig.last_view(), {"rv_peer_score": score, "rv_comment": comment})
        rig.click(peer, "peer_rate", b["value"])
        assert "already rated" in answer(rig) or "已评过分" in answer(rig)
    with transaction(rig.app.db) as s:
        assert sorted(p.score for p in s.scalars(select(PeerRating))) == [80, 90]

    evaluate(rig)
    result = dm_with(rig, ALICE, "Acknowledge")
    # Two ratings are fewer than the team's minimum (3): no average, no count.
    assert "not enough ratings to show" in all_text(result.params) and "85.0" not in all_text(result.params)

    names = {BOB, LEAD2, USERS[BOB]["real_name"], USERS[LEAD2]["real_name"], "Always helpful"}
    press(rig, ALICE, result, "Object")  # a modal Alice opens
    seen_by_alice = [c for c in rig.slack.calls() if c.params.get("channel") == ALICE]
    seen_by_alice += rig.slack.calls("views.open")[-1:]
    seen_by_alice += rig.slack.responses(rig.last_response_url)
    assert len(seen_by_alice) >= 3  # the prompt, the result, the objection form
    for c in seen_by_alice:
        payload = json.dumps(c.params, ensure_ascii=False)
        assert not any(n in payload for n in names), f"a payload to Alice names a peer: {payload[:300]}"


def test_the_review_reminders_go_to_whoever_is_late_once_a_working_day(rig):
    write_self_review(rig)  # Alice is in; Bob is not
    rig.app.jobs.run("selfreview-open", now=datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK))  # Bob's prompt
    # Self-reviews are due Thursday 3 December (the 3rd working day); Friday 4th Bob is late.
    thu = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
    rig.app.jobs.run("review-reminders", now=thu, manual=True)
    rig.deliver()
    assert not [c for c in dms(rig.slack.calls(), BOB) if "was due" in c.params["text"]], "not late on the due day"

    fri_ny = datetime(2026, 12, 4, 10, 0, tzinfo=NEW_YORK)
    rig.app.jobs.run("review-reminders", now=fri_ny)
    rig.app.jobs.run("review-reminders", now=fri_ny + timedelta(minutes=10))
    rig.deliver()
    late = [c for c in dms(rig.slack.calls(), BOB) if "was due 2026-12-03" in c.params["text"]]
    assert len(late) == 1 and buttons(late[0].params) == ["Write self-review", "Remind me later"]
    assert not [c for c in dms(rig.slack.calls(), ALICE) if "was due" in c.params["text"]]

    # Saturday 5 December is not a working day: nothing.
    rig.app.jobs.run("review-reminders", now=datetime(2026, 12, 5, 23, 0, tzinfo=NEW_YORK))
    # Evaluations are due Monday 7 December; on Tuesday 8th the supervisors hear of Alice's.
    tue = datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
    rig.app.jobs.run("review-reminders", now=tue)
    rig.app.jobs.run("review-reminders", now=tue)
    rig.deliver()
    nudges = [c for c in dms(rig.slack.calls(), LEAD) if "evaluation(s)" in c.params["text"]]
    assert len(nudges) == 1 and "Evaluate" in buttons(nudges[0].params)
    assert f"<@{ALICE}>" in all_text(nudges[0].params)
    with transaction(rig.app.db) as s:
        keys = s.scalars(select(ReminderLog.period).where(ReminderLog.job == "review-reminders")).all()
    # One per supervisor for the evaluations; Bob's Tuesday reminder waits for 10:00 in New York.
    assert sorted(keys) == ["eval:2026-11:2026-12-08", "eval:2026-11:2026-12-08", "self:2026-11:2026-12-04"], keys


def test_home_shows_late_reviews_only_for_a_cycle_that_was_opened(rig):
    from tests.test_home_e2e import open_home

    # Before November's cycle opens, October's was never opened (a fresh
    # install): nobody was asked, so nobody is late.
    sup_home = all_text(open_home(rig, LEAD))
    assert "Late reviews" not in sup_home
    assert "Self-review for 2026-10" not in all_text(open_home(rig, BOB))

    write_self_review(rig)  # Alice is in; Bob is not
    rig.app.jobs.run("selfreview-open", now=datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK))
    rig.deliver()
    rig.clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI))  # due Thursday 3 December
    sup_home = all_text(open_home(rig, LEAD))
    assert "Late reviews for 2026-11" in sup_home
    late_section = sup_home.split("Late reviews for 2026-11", 1)[1]
    assert f"<@{BOB}>" in late_section and f"<@{ALICE}>" not in late_section
    assert "Self-review for 2026-11" in all_text(open_home(rig, BOB))


def test_a_snoozed_review_reminder_comes_back_only_while_still_late(rig):
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    fri = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    rig.clock.set(fri)
    rig.app.jobs.run("review-reminders", now=fri)
    rig.deliver()

    def late():
        return [c for c in dms(rig.slack.calls(), ALICE) if "was due" in c.params["text"]]

    press(rig, ALICE, late()[-1], "Remind me later")
    assert "remind you again" in answer(rig)
    rig.clock.advance(timedelta(hours=3, minutes=1))
    assert rig.app.jobs.run_snoozes() == 1
    rig.deliver()
    assert len(late()) == 2 and "🔁" in all_text(late()[-1].params)

    press(rig, ALICE, late()[-1], "Remind me later")
    press(rig, ALICE, late()[-1], "Write self-review")
    rig.submit(ALICE, rig.last_view(), SELF_REVIEW)
    rig.clock.advance(timedelta(days=1))
    assert rig.app.jobs.run_snoozes() == 0, "written in the meantime: nothing comes back"


def test_a_month_that_was_never_opened_is_not_chased(rig):
    # Installed mid-November: October had no month-end prompt, so nobody is late for it.
    rig.app.jobs.run("review-reminders", now=datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    assert dms(rig.slack.calls(), ALICE) == [] and dms(rig.slack.calls(), LEAD) == []


def test_the_annual_review_assembles_the_year_and_the_member_can_object(rig):
    # A year of results for Alice, September missing.
    with transaction(rig.app.db) as s:
        now = rig.clock.now()
        for month in range(1, 12):
            if month == 9:
                continue
            s.add(Review(team_id=1, user_id=ALICE, kind="monthly", period=f"2026-{month:02d}", status="acknowledged",
                         total_centi=7000 + month * 100, grade="B" if month < 10 else "A", created_at=now,
                         updated_at=now))
    dec = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    rig.clock.set(dec)
    rig.app.jobs.run("annual-review", now=dec)
    rig.app.jobs.run("annual-review", now=dec)
    rig.deliver()
    ask = [c for c in dms(rig.slack.calls(), LEAD) if "year 2026" in c.params["text"] and f"<@{ALICE}>" in c.params["text"]]
    assert len(ask) == 1
    press(rig, LEAD, ask[0], "Evaluate")
    modal = rig.last_view()
    shown = all_text(modal)
    assert "2026-09: missing" in shown and "2026-12: missing" in shown and "2026-03: 73.00 (B)" in shown
    assert "Average 75.70 over 10 month(s)" in shown and "improving" in shown
    r = rig.submit(LEAD, modal, {"rv_grade": "B", "rv_comment": "A steady climb."})
    assert r.body == ""
    rig.deliver()
    result = dm_with(rig, ALICE, "Object")
    assert "the year 2026" in result.params["text"] and "Grade B" in all_text(result.params)
    press(rig, ALICE, result, "Object")
    rig.submit(ALICE, rig.last_view(), {"rv_reason": "The last quarter was all A."})
    rig.deliver()
    press(rig, LEAD, dm_with(rig, LEAD, "Revise result"), "Revise result")
    rig.submit(LEAD, rig.last_view(), {"rv_grade": "A", "rv_comment": "A steady climb.", "rv_resolution": "Fair."})
    rig.deliver()
    annual = [r for r in reviews(rig) if r.kind == "annual" and r.user_id == ALICE][0]
    assert (annual.status, annual.grade, annual.total_centi) == ("final", "A", 7570)


def test_month_end_jobs_show_their_real_next_run(rig):
    [nr] = rig.app.jobs.next_runs(datetime(2026, 12, 1, tzinfo=SHANGHAI), job="selfreview-open", team="Growth")
    # December 2026 ends on a Thursday, a working day.
    assert nr.at == datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    [nr] = rig.app.jobs.next_runs(datetime(2026, 11, 24, tzinfo=SHANGHAI), job="annual-review", team="Growth")
    assert nr.at == datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(Review.id))) == 0


def test_a_supervisor_sets_targets_and_the_self_review_shows_targets_against_actuals(rig):
    rig.command(ALICE, "/topic", "One idea", channel=CHANNEL)
    r = rig.command(BOB, "/opsbot", f"targets <@{ALICE}|alice> 2026-11")
    assert "Only a supervisor" in r.json()["text"]
    r = rig.command(LEAD, "/opsbot", "targets @alice")
    assert "/opsbot targets @member" in r.json()["text"], "a name typed without picking the person is explained"

    r = rig.command(LEAD, "/opsbot", f"targets <@{ALICE}|alice> 2026-11")
    assert r.status == 200 and r.body == ""
    modal = rig.last_view()
    assert [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"] == [
        "Topics approved", "Pieces published", "Total reads", "Activities", "Custom indicators"]
    r = rig.submit(LEAD, modal, {"rv_target_topics_approved": "three"})
    assert r.json()["errors"] == {"rv_target_topics_approved": "Enter a whole number, or leave it empty for no target."}
    rig.submit(LEAD, modal, {"rv_target_topics_approved": "3", "rv_target_reads": "10,000"})
    rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2026-11")
    again = {b["block_id"]: b["element"].get("initial_value") for b in rig.last_view()["blocks"] if b["type"] == "input"}
    assert again == {"rv_target_topics_approved": "3", "rv_target_publications": None, "rv_target_reads": "10000",
                     "rv_target_activities": None, "rv_plan_indicators": None}
    # The targets are a plan proposed to Alice (tests/test_plan_e2e.py): they count once she agrees.
    rig.deliver()
    press(rig, ALICE, dm_with(rig, ALICE, "Agree"), "Agree")

    rig.command(ALICE, "/selfreview")
    shown = all_text(rig.last_view())
    assert "Topics approved 0 (target 3) ⬜" in shown and "Total reads 0 (target 10,000) ⬜" in shown
    assert "Pieces published 0 ·" in shown and "Pieces published 0 (target" not in shown
    with transaction(rig.app.db) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.action == "review.targets",
                                                    AuditEntry.outcome == "denied")).all()
    assert [a.actor_id for a in denied] == [BOB]


def test_the_month_end_prompt_can_be_snoozed_until_the_self_review_is_written(rig):
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.clock.set(MONTH_END_10 + timedelta(minutes=1))
    rig.deliver()
    press(rig, ALICE, dm_with(rig, ALICE, "Remind me later"), "Remind me later")
    assert "remind you again" in answer(rig)
    rig.clock.advance(timedelta(hours=3, minutes=1))
    assert rig.app.jobs.run_snoozes() == 1
    rig.deliver()
    prompts = [c for c in dms(rig.slack.calls(), ALICE) if "Write self-review" in buttons(c.params)]
    assert len(prompts) == 2 and "🔁" in all_text(prompts[-1].params)


def test_two_supervisors_evaluating_at_once_record_one_evaluation(rig):
    write_self_review(rig)
    forms = {}
    for sup in (LEAD, LEAD2):
        rig.click(sup, "review_evaluate", str(reviews(rig)[0].id))
        forms[sup] = rig.last_view()
    results: dict[str, str] = {}
    start = threading.Barrier(2)

    def submit(sup: str) -> None:
        start.wait()
        results[sup] = rig.submit(sup, forms[sup], EVALUATION).body

    threads = [threading.Thread(target=submit, args=(sup,)) for sup in (LEAD, LEAD2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    rig.deliver()
    assert sorted(bool(b) for b in results.values()) == [False, True], "one wins, the other is told in the form"
    with transaction(rig.app.db) as s:
        assert s.scalar(select(func.count(ReviewEvent.id)).where(ReviewEvent.event == "evaluate")) == 1
    assert len([c for c in dms(rig.slack.calls(), ALICE) if "Acknowledge" in buttons(c.params)]) == 1


def test_peer_ratings_close_when_the_evaluation_is_done(rig):
    write_self_review(rig)
    press(rig, LEAD, dm_with(rig, LEAD, "Ask colleagues"), "Ask colleagues")
    rig.submit(LEAD, rig.last_view(), {"rv_peers": [BOB]})
    rig.deliver()
    ask = dm_to(rig, BOB, "peer_rate")
    evaluate(rig)
    rig.click(BOB, "peer_rate", button_of(ask.params, "peer_rate")["value"])
    assert "ratings for it are closed" in answer(rig)
    with transaction(rig.app.db) as s:
        assert s.scalar(select(PeerRating.score)) is None


def test_a_self_review_for_a_month_not_yet_at_its_end_does_not_open(rig):
    r = rig.command(ALICE, "/selfreview", "2026-12")
    assert "opens on that month's month-end day" in r.json()["text"]
    r = rig.command(ALICE, "/selfreview", "soon")
    assert "/selfreview YYYY-MM" in r.json()["text"]
    assert rig.opened_views() == [] and reviews(rig) == []
