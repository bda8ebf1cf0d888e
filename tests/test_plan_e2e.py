"""The performance plan (绩效计划, docs/RULES.md §四(三), issue 18) end to end: a
supervisor proposes a member's plan for the month in the targets modal, the
member agrees or comments, the supervisor revises, the rounds are kept, the
agreed plan shows in the self-review and `/opsbot targets`, and the
`plan-progress` job sends one mid-month DM (the 15th, or the next working day),
never on a day of leave."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from storage.db import transaction
from storage.leave import Leave
from storage.models import AuditEntry, Team
from storage.reviews import ReviewPlan, ReviewPlanRound, ReviewTarget
from tests.conftest import ALICE, BOB, LEAD, SHANGHAI, USERS, make_rig
from tests.helpers import all_text, button, buttons, dms
from tests.test_bounds_e2e import store

# Monday 2 November 2026, 09:00 in Shanghai: the first working day of the month.
NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
# Bob is a member who reads Chinese, in Shanghai.
PLAN_USERS = {**USERS, BOB: {"name": "bob", "real_name": "Bob", "tz": "Asia/Shanghai", "locale": "zh-CN"}}
CUSTOM = "Newsletter | 4 issues | sent by the 28th\nCommunity posts | 10 | each with an image"


@pytest.fixture
def rig(database_url):
    r = make_rig(database_url, start=NOV_2, users=PLAN_USERS).start()
    try:
        yield r
    finally:
        r.stop()


def at(day: int, hour: int = 10, minute: int = 30) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def open_plan(rig, member: str = ALICE, month: str = "2026-11") -> dict:
    r = rig.command(LEAD, "/opsbot", f"targets <@{member}> {month}")
    assert r.status == 200 and r.body == "", r.body
    return rig.last_view()


def propose(rig, member: str = ALICE, values: dict | None = None) -> None:
    r = rig.submit(LEAD, open_plan(rig, member), values or {"rv_target_topics_approved": "3",
                                                             "rv_target_reads": "10,000", "rv_plan_indicators": CUSTOM})
    assert r.status == 200 and r.body == "", r.body
    rig.deliver()


def plan_dm(rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, [all_text(c.params) for c in dms(rig.slack.calls(), user)]
    return found[-1]


def press(rig, user: str, dm, label: str):
    b = button(dm.params, label)
    r = rig.click(user, b["action_id"], b["value"], message=dm)
    assert r.status == 200, r.body
    return r


def answer(rig) -> str:
    return rig.slack.responses(rig.last_response_url)[-1].params["text"]


def plans(rig) -> list[tuple[ReviewPlan, list[ReviewPlanRound]]]:
    with transaction(rig.app.db) as s:
        out = [(p, list(s.scalars(select(ReviewPlanRound).where(ReviewPlanRound.plan_id == p.id)
                                  .order_by(ReviewPlanRound.number))))
               for p in s.scalars(select(ReviewPlan).order_by(ReviewPlan.id))]
        s.expunge_all()
        return out


def agree(rig, member: str) -> None:
    press(rig, member, plan_dm(rig, member, "Agree" if member != BOB else "同意"),
          "Agree" if member != BOB else "同意")
    rig.deliver()


def test_propose_comment_revise_agree_keeps_the_rounds_and_the_agreed_plan_shows(rig):
    modal = open_plan(rig)
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"][-1] == "rv_plan_indicators"
    before = store(rig)
    r = rig.submit(LEAD, modal, {"rv_target_reads": "100", "rv_plan_indicators": "Newsletter | 4 issues | ok\n\n"
                                                                                   "Posts | 10"})
    assert r.json()["errors"] == {"rv_plan_indicators": "Line 3: write it as `name | target | standard`."}
    r = rig.submit(LEAD, modal, {"rv_plan_indicators": "\n".join(f"K{i} | {i} | s" for i in range(6))})
    assert r.json()["errors"] == {"rv_plan_indicators": "A plan holds at most 5 custom indicators."}
    assert store(rig) == before, "nothing stored on a field error"

    propose(rig)
    dm = plan_dm(rig, ALICE, "Agree")
    assert buttons(dm.params) == ["Agree", "Comment"]
    text = all_text(dm.params)
    assert "proposes your performance plan for 2026-11" in text and "round 1" in text
    assert "Newsletter" in text and "4 issues" in text and "sent by the 28th" in text
    assert "Total reads" in text and "10,000" in text
    assert not [c for c in dms(rig.slack.calls(), BOB)], "the plan goes to its member only"

    # Bob is not Alice: refused with the reason, nothing changes.
    press(rig, BOB, dm, "Agree")
    assert "Only <@U0ALICE> can answer their own plan." in answer(rig)
    [(p, rounds)] = plans(rig)
    assert (p.status, p.round, p.agreed_round) == ("proposed", 1, None)
    with transaction(rig.app.db) as s:
        assert s.scalars(select(ReviewTarget)).all() == []
        denied = s.scalars(select(AuditEntry.actor_id).where(AuditEntry.action == "review.plan_agree",
                                                             AuditEntry.outcome == "denied")).all()
    assert denied == [BOB]

    # Alice comments: the comment is required, then it goes back to Lena with Revise.
    press(rig, ALICE, dm, "Comment")
    comment_modal = rig.last_view()
    r = rig.submit(ALICE, comment_modal, {"rv_plan_comment": "  "})
    assert r.json()["errors"] == {"rv_plan_comment": "Please fill this in."}
    r = rig.submit(ALICE, comment_modal, {"rv_plan_comment": "10,000 reads is <too many> for November"})
    assert r.status == 200 and r.body == ""
    rig.deliver()
    back = plan_dm(rig, LEAD, "Revise plan")
    assert "10,000 reads is &lt;too many&gt; for November" in all_text(back.params)

    # Lena revises: the modal comes filled in with round 1; saving sends round 2.
    press(rig, LEAD, back, "Revise plan")
    revise = rig.last_view()
    filled = {b["block_id"]: b["element"].get("initial_value") for b in revise["blocks"] if b["type"] == "input"}
    assert filled["rv_target_reads"] == "10000" and filled["rv_plan_indicators"] == CUSTOM
    r = rig.submit(LEAD, revise, {"rv_target_topics_approved": "3", "rv_target_reads": "8000",
                                  "rv_plan_indicators": CUSTOM})
    assert r.body == ""
    rig.deliver()
    dm2 = plan_dm(rig, ALICE, "Agree")
    assert "round 2" in all_text(dm2.params) and "8,000" in all_text(dm2.params)

    # Round 1's Agree no longer applies; round 2's does, once.
    press(rig, ALICE, dm, "Agree")
    assert "newer version of this plan (round 2)" in answer(rig)
    press(rig, ALICE, dm2, "Agree")
    assert answer(rig) == "Thank you: the plan is agreed."
    press(rig, ALICE, dm2, "Agree")
    assert answer(rig) == "You have already agreed to this plan."
    rig.deliver()
    agreed = [all_text(c.params) for c in dms(rig.slack.calls(), LEAD) if "agreed to their plan" in all_text(c.params)]
    assert len(agreed) == 1 and "round 2" in agreed[0]

    [(p, rounds)] = plans(rig)
    assert (p.status, p.round, p.agreed_round) == ("agreed", 2, 2)
    assert [(x.number, x.targets["reads"], x.comment, x.proposed_by) for x in rounds] == [
        (1, 10000, "10,000 reads is <too many> for November", LEAD), (2, 8000, None, LEAD)]
    assert rounds[0].commented_by == ALICE and rounds[1].indicators[0] == {
        "name": "Newsletter", "target": "4 issues", "standard": "sent by the 28th"}
    with transaction(rig.app.db) as s:
        t = s.scalars(select(ReviewTarget)).one()
        assert (t.reads, t.topics_approved, t.publications) == (8000, 3, None)

    # The self-review shows the agreed plan: built-in targets beside actuals, the custom ones with standards.
    rig.clock.set(at(30))  # the month-end day: November's self-review is open
    rig.command(ALICE, "/selfreview")
    shown = all_text(rig.last_view())
    assert "Total reads 0 (target 8,000) ⬜" in shown
    assert "Newsletter" in shown and "sent by the 28th" in shown and "Community posts" in shown
    # /opsbot targets shows it too.
    shown = all_text(open_plan(rig))
    assert "The agreed plan (targets vs actuals)" in shown and "each with an image" in shown
    assert "agreed to round 2" in shown


def test_a_plan_is_for_this_month_or_the_next(rig):
    r = rig.command(LEAD, "/opsbot", f"targets <@{ALICE}> 2027-01")
    assert "A plan is for this month or the next: 2026-11 or 2026-12." in r.json()["text"]
    assert rig.opened_views() == []
    modal = open_plan(rig, month="2026-12")
    meta = json.loads(modal["private_metadata"])
    before = store(rig)
    r = rig.submit(LEAD, {**modal, "private_metadata": json.dumps({**meta, "period": "2027-02"})},
                   {"rv_target_reads": "100"})
    assert "A plan is for this month or the next" in next(iter(r.json()["errors"].values()))
    assert store(rig) == before
    r = rig.submit(LEAD, modal, {"rv_target_reads": "100"})
    assert r.body == ""
    [(p, _rounds)] = plans(rig)
    assert p.period == "2026-12"


def test_plan_progress_on_the_next_working_day_after_the_15th_once_and_not_on_leave(rig):
    propose(rig, ALICE)
    propose(rig, BOB)
    bob_dm = plan_dm(rig, BOB, "同意")
    assert "绩效计划" in all_text(bob_dm.params), "Bob reads the proposal in Chinese"
    agree(rig, ALICE)
    agree(rig, BOB)
    with transaction(rig.app.db) as s:
        team = s.scalar(select(Team).where(Team.name == "Growth"))
        s.add(Leave(team_id=team.id, user_id=BOB, start_date=date(2026, 11, 16), end_date=date(2026, 11, 16),
                    reason="dentist", status="approved", created_at=NOV_2))

    def progress(user: str) -> list[str]:
        return [all_text(c.params) for c in dms(rig.slack.calls(), user)
                if "Mid-month" in all_text(c.params) or "月中" in all_text(c.params)]

    def run(day: int, hour: int = 10, minute: int = 30) -> None:
        rig.clock.set(at(day, hour, minute))
        rig.app.jobs.run("plan-progress", now=at(day, hour, minute))
        rig.deliver()

    run(13)  # Friday: before the mid-month day
    run(15)  # the 15th is a Sunday: the mid-month day is Monday 16 November
    run(16, 9, 0)  # Monday, before the daily hour
    assert progress(ALICE) == progress(BOB) == []
    run(16)
    [alice] = progress(ALICE)
    assert "2026-11" in alice and "Total reads 0 (target 10,000)" in alice and "Newsletter" in alice
    assert progress(BOB) == [], "Bob is on leave on the 16th"
    run(16, 15)
    run(17)
    assert len(progress(ALICE)) == 1, "once per member and month"
    [bob] = progress(BOB)
    assert "月中" in bob and "Newsletter" in bob
    run(18)
    assert len(progress(BOB)) == 1
