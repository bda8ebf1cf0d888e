"""Issue 19, item 4, for the actions the other scope tests leave out: a colleague's peer rating, a plan's
Revise, a training's attendance, one's career goals, an improvement item's Done / Not yet and an onboarding
item's Done. Two workspaces are installed through OAuth, each with a team called Growth; the button or the
form of Acme's item, sent from the other workspace, is answered like an unknown item and changes nothing
in the database; the same click or form from Acme works, so each check can fail."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.devtools.rig import Rig
from storage.db import transaction
from storage.feedback import ImprovementItem
from storage.models import Team
from storage.onboarding import OnboardingItem, OnboardingRun
from storage.reviews import PeerRating, ReviewPlan, ReviewPlanRound
from storage.training import CareerGoals, TrainingAttendee, TrainingSession
from tests import test_workspaces_e2e as workspaces
from tests.conftest import SHANGHAI
from tests.helpers import all_text, cards, dms
from tests.test_workspace_scope_content_e2e import NOT_IN_TEAM, opened_views, rows
from tests.test_workspace_scope_reviews_e2e import (
    NOT_FOUND,
    SELF_REVIEW,
    TALK_AT,
    TRAINING_AT,
    dm_with,
    evaluated,
    forged,
    nothing_shown,
    press,
    rejected_submission,
    review,
)
from tests.test_workspaces_e2e import ACME, AMY, BOSS_A, CHANNEL_A, LEAD_A, OTHER, both

two = workspaces.two  # the fixture: both workspaces installed, neither set up yet

# Friday 11 December 2026, 10:00 in Shanghai: the improvement item's due day, at the follow-up's hour.
DUE_DAY_10 = datetime(2026, 12, 11, 10, 0, tzinfo=SHANGHAI)


def acme_growth(rig: Rig) -> int:
    with transaction(rig.app.db) as s:
        return s.scalars(select(Team.id).where(Team.workspace == ACME)).one()


def test_a_peer_rating_cannot_be_given_from_another_workspace(two):
    both(two)
    # Acme's admin joins its Growth as a member, through the team's Edit on Home: a colleague to ask.
    team_id = acme_growth(two)
    two.click(LEAD_A, f"team_edit:{team_id}", str(team_id), home=True, team=ACME)
    edited = two.submit(LEAD_A, two.last_view(), {"team_members": [AMY, BOSS_A]}, team=ACME)
    assert edited.json()["response_action"] == "update", edited.body
    two.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    two.app.jobs.run("selfreview-open", now=two.clock.now())
    two.deliver()
    press(two, AMY, dm_with(two, AMY, "Write self-review"), "Write self-review")
    assert two.submit(AMY, two.last_view(), SELF_REVIEW, team=ACME).body == ""
    two.deliver()
    press(two, LEAD_A, dm_with(two, LEAD_A, "Evaluate"), "Ask colleagues")
    assert two.submit(LEAD_A, two.last_view(), {"rv_peers": [BOSS_A]}, team=ACME).body == ""
    two.deliver()

    ask = dm_with(two, BOSS_A, "Rate")
    before = len(two.slack.calls())
    assert forged(two, BOSS_A, ask, "Rate") == NOT_FOUND
    nothing_shown(two, before)
    press(two, BOSS_A, ask, "Rate")
    assert len(opened_views(two, before)) == 1
    rating = two.last_view()
    values = {"rv_peer_score": "70", "rv_comment": "Private: helpful in reviews"}
    rejected_submission(two.submit(BOSS_A, rating, values, team=OTHER))
    [p] = rows(two, PeerRating)
    assert (p.peer_id, p.score, p.comment) == (BOSS_A, None, None)

    assert two.submit(BOSS_A, rating, values, team=ACME).body == ""
    [p] = rows(two, PeerRating)
    assert (p.peer_id, p.score) == (BOSS_A, 70)
    assert review(two).status == "self_review_in"


def plan_rounds(rig: Rig) -> list[tuple[int, dict]]:
    return [(r.number, r.targets) for r in rows(rig, ReviewPlanRound)]


def test_a_plan_cannot_be_revised_from_another_workspace(two):
    both(two)
    assert two.command(LEAD_A, "/opsbot", f"targets <@{AMY}>", channel=CHANNEL_A, team=ACME).body == ""
    assert two.submit(LEAD_A, two.last_view(), {"rv_target_reads": "10000"}, team=ACME).body == ""
    two.deliver()
    press(two, AMY, dm_with(two, AMY, "Comment"), "Comment")
    assert two.submit(AMY, two.last_view(), {"rv_plan_comment": "Too many reads"}, team=ACME).body == ""
    two.deliver()
    back = dm_with(two, LEAD_A, "Revise plan")
    [(number, targets)] = plan_rounds(two)
    assert (number, targets.get("reads")) == (1, 10000)

    # Revise pressed from the other workspace: no modal (it would show the plan), nothing changes.
    before = len(two.slack.calls())
    assert forged(two, LEAD_A, back, "Revise plan") == NOT_FOUND
    nothing_shown(two, before)
    press(two, LEAD_A, back, "Revise plan")
    revise = two.last_view()
    # The revised plan, sent from the other workspace, where he supervises no team: refused as there, no second round.
    reply = two.submit(LEAD_A, revise, {"rv_target_reads": "8000"}, team=OTHER).json()
    assert reply["response_action"] == "errors", reply
    assert list(reply["errors"].values()) == [f"Only a supervisor of <@{AMY}>'s team can set their targets."]
    assert plan_rounds(two) == [(1, targets)]
    with transaction(two.app.db) as s:
        assert s.scalars(select(ReviewPlan.round)).one() == 1

    assert two.submit(LEAD_A, revise, {"rv_target_reads": "8000"}, team=ACME).body == ""
    two.deliver()
    assert [(n, t.get("reads")) for n, t in plan_rounds(two)] == [(1, 10000), (2, 8000)]
    assert "round 2" in all_text(dm_with(two, AMY, "Agree").params)


def attendance(rig: Rig) -> tuple[list[str], bool]:
    [session] = rows(rig, TrainingSession)
    return [a.user_id for a in rows(rig, TrainingAttendee)], session.attendance_at is not None


def test_training_attendance_cannot_be_recorded_from_another_workspace(two):
    both(two)
    assert two.command(LEAD_A, "/opsbot", "training", channel=CHANNEL_A, team=ACME).body == ""
    values = {"training_topic": "Writing headlines", "training_place": "Room 3", "training_start": TRAINING_AT}
    assert two.submit(LEAD_A, two.last_view(), values, team=ACME).json()["response_action"] == "update"
    two.deliver()
    card = [c for c in cards(two.slack.calls(), CHANNEL_A) if "Writing headlines" in all_text(c.params)][0]
    press(two, AMY, card, "Join")
    two.deliver()
    two.clock.set(TRAINING_AT + timedelta(hours=2))

    before = len(two.slack.calls())
    assert forged(two, LEAD_A, card, "Record attendance") == NOT_FOUND
    nothing_shown(two, before)
    press(two, LEAD_A, card, "Record attendance")
    form = two.last_view()
    assert NOT_FOUND in two.submit(LEAD_A, form, {"training_attendees": [AMY]}, team=OTHER).body
    two.deliver()
    assert attendance(two) == ([], False)

    done = two.submit(LEAD_A, form, {"training_attendees": [AMY]}, team=ACME).json()
    assert done["response_action"] == "update" and "1 attended" in all_text(done["view"])
    assert attendance(two) == ([AMY], True)


def test_career_goals_cannot_be_saved_from_another_workspace(two):
    both(two)
    before = len(two.slack.calls())
    typed = two.command(AMY, "/opsbot", "goals", channel=CHANNEL_A, team=OTHER)  # no team of Acme's there
    assert NOT_IN_TEAM in typed.json()["text"], typed.body
    assert opened_views(two, before) == []
    assert two.command(AMY, "/opsbot", "goals", channel=CHANNEL_A, team=ACME).body == ""
    form = two.last_view()
    goals = {"career_goals": "Lead a campaign\nLearn SQL"}
    assert NOT_FOUND in two.submit(AMY, form, goals, team=OTHER).body
    assert rows(two, CareerGoals) == []

    done = two.submit(AMY, form, goals, team=ACME).json()
    assert done["response_action"] == "update", done
    [row] = rows(two, CareerGoals)
    assert (row.user_id, row.team_id, row.goals) == (AMY, acme_growth(two), ["Lead a campaign", "Learn SQL"])


def item_state(rig: Rig) -> tuple:
    [i] = rows(rig, ImprovementItem)
    return i.status, i.due_date.isoformat(), i.comment


def talked_with_a_plan(rig: Rig) -> None:
    """Amy's November review evaluated in Acme, the talk held and recorded with one item due Friday
    11 December, the plan acknowledged; on the due day at 10:00 Amy is asked Done / Not yet."""
    evaluated(rig)
    assert rig.command(LEAD_A, "/opsbot", f"talk <@{AMY}>", channel=CHANNEL_A, team=ACME).body == ""
    assert rig.submit(LEAD_A, rig.last_view(), {"fb_talk_at": TALK_AT, "fb_talk_place": "Room 3"},
                      team=ACME).body == ""
    rig.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    rig.deliver()
    rig.clock.set(TALK_AT + timedelta(minutes=45))
    press(rig, LEAD_A, dm_with(rig, LEAD_A, "Record notes"), "Record notes")
    plan = {"fb_notes": "Notes", "fb_item_1_text": "Outline every draft", "fb_item_1_due": "2026-12-11"}
    assert rig.submit(LEAD_A, rig.last_view(), plan, team=ACME).body == ""
    rig.deliver()
    press(rig, AMY, dm_with(rig, AMY, "Acknowledge"), "Acknowledge")
    rig.clock.set(DUE_DAY_10)
    rig.app.jobs.run("improvement-followup", now=DUE_DAY_10)
    rig.deliver()


def test_an_improvement_item_cannot_be_answered_from_another_workspace(two):
    both(two)
    talked_with_a_plan(two)
    ask = dm_with(two, AMY, "Not yet")
    assert "Outline every draft" in all_text(ask.params)
    assert item_state(two) == ("open", "2026-12-11", None)

    before = len(two.slack.calls())
    assert forged(two, AMY, ask, "Done") == NOT_FOUND
    assert forged(two, AMY, ask, "Not yet") == NOT_FOUND
    nothing_shown(two, before)
    assert item_state(two) == ("open", "2026-12-11", None)

    press(two, AMY, ask, "Not yet")
    later = {"fb_followup_comment": "Half the drafts are outlined.", "fb_followup_due": "2026-12-16"}
    not_yet = two.last_view()
    rejected_submission(two.submit(AMY, not_yet, later, team=OTHER))
    assert item_state(two) == ("open", "2026-12-11", None)
    assert two.submit(AMY, not_yet, later, team=ACME).body == ""
    assert item_state(two) == ("open", "2026-12-16", "Half the drafts are outlined.")

    press(two, AMY, ask, "Done")
    assert two.slack.responses(two.last_response_url)[-1].params["text"] == "Done: the item is closed."
    assert item_state(two)[0] == "done"


def onboarding_done_at(rig: Rig) -> list:
    with transaction(rig.app.db) as s:
        return list(s.scalars(select(OnboardingItem.done_at).join(OnboardingRun, OnboardingRun.id == OnboardingItem.run_id)
                              .where(OnboardingRun.user_id == AMY)))


def test_an_onboarding_item_cannot_be_done_from_another_workspace(two):
    both(two)
    assert two.command(LEAD_A, "/opsbot", "onboarding", channel=CHANNEL_A, team=ACME).body == ""
    assert two.submit(LEAD_A, two.last_view(), {"onboarding_items": "0: Meet the team"}, team=ACME).status == 200
    today_10 = two.clock.now().replace(hour=10, minute=0)  # Monday 23 November, a working day
    two.clock.set(today_10)
    two.app.jobs.run("onboarding", now=today_10)
    two.deliver()
    dm = [c for c in dms(two.slack.calls(), AMY) if "Meet the team" in all_text(c.params)][-1]
    [item] = rows(two, OnboardingItem)
    item_id = item.id

    # The DM's Done and the Home's Done, pressed from the other workspace: Amy's item stays open.
    before = len(two.slack.calls())
    assert forged(two, AMY, dm, "Done") == NOT_FOUND
    nothing_shown(two, before)
    before = len(two.slack.calls())
    two.click(AMY, f"onboarding_done:{item_id}", str(item_id), home=True, team=OTHER)
    two.deliver()
    [told] = dms(two.slack.calls()[before:], AMY)  # from Home there is no message to answer: a DM
    assert told.params["text"] == NOT_FOUND
    assert onboarding_done_at(two) == [None]

    press(two, AMY, dm, "Done")
    assert two.slack.responses(two.last_response_url)[-1].params["text"] == "Done: Meet the team"
    [done_at] = onboarding_done_at(two)
    assert done_at is not None
