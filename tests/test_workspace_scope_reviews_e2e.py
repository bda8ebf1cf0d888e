"""Issue 19, item 4, for reviews and the /opsbot subcommands: two workspaces installed through OAuth
on one deployment, each with a team called Growth. A payload from the other workspace carrying
an id of Acme's (a click, a modal submission, /opsbot typed there) changes nothing and shows
nothing of Acme's rows (reviews are private): it is answered as an unknown item, or as by
someone who leads no team there. The same action from Acme itself works, so each check can fail."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.devtools.rig import Rig
from storage.db import transaction
from storage.feedback import FeedbackTalk
from storage.models import Team
from storage.reviews import PeerRating, Review, ReviewPlan, ReviewPlanRound
from storage.training import TrainingAnswer, TrainingSession
from tests import test_workspaces_e2e as workspaces
from tests.conftest import SHANGHAI
from tests.helpers import all_text, button, buttons, cards, dms
from tests.test_workspaces_e2e import (
    ACME,
    AMY,
    BEN,
    BOSS_A,
    CHANNEL_A,
    CHANNEL_B,
    LEAD_A,
    LEAD_B,
    OTHER,
    both,
)

two = workspaces.two  # the fixture: both workspaces installed, neither set up yet

# November 2026's month-end day in China: Monday 30 November, 10:00 in Shanghai.
MONTH_END_10 = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
# The feedback talk: Thursday 3 December, 15:00; a training on Tuesday 24 November, 15:00.
TALK_AT = datetime(2026, 12, 3, 15, 0, tzinfo=SHANGHAI)
TRAINING_AT = datetime(2026, 11, 24, 15, 0, tzinfo=SHANGHAI)
NOT_FOUND = "I could not find that item."
SELF_REVIEW = {"rv_achievements": "Secret launch numbers", "rv_shortcomings": "Private shortcomings",
               "rv_plan": "Private plan", "rv_score_performance": "85", "rv_score_ability": "80",
               "rv_score_attitude": "90"}
EVALUATION = {"rv_score_performance": "80", "rv_score_ability": "75", "rv_score_attitude": "90",
              "rv_comment": "Private comment"}


def review(rig: Rig) -> Review:
    with transaction(rig.app.db) as s:
        [r] = s.scalars(select(Review).where(Review.user_id == AMY)).all()
        s.expunge(r)
        return r


def dm_with(rig: Rig, user: str, label: str):
    found = [c for c in dms(rig.slack.calls(), user) if label in buttons(c.params)]
    assert found, [all_text(c.params) for c in dms(rig.slack.calls(), user)]
    return found[-1]


def forged(rig: Rig, user: str, dm, label: str) -> str:
    """``user`` presses ``label`` on their Acme DM, but the payload comes from the other workspace:
    the answer they are given."""
    b = button(dm.params, label)
    assert rig.click(user, b["action_id"], b["value"], message=dm, team=OTHER).status == 200
    return rig.slack.responses(rig.last_response_url)[-1].params["text"]


def press(rig: Rig, user: str, dm, label: str) -> None:
    b = button(dm.params, label)
    assert rig.click(user, b["action_id"], b["value"], message=dm, team=ACME).status == 200


def nothing_shown(rig: Rig, before: int) -> None:
    """No modal opened and nothing sent since call ``before``, but the answers to the clicks."""
    rig.deliver()
    later = [c for c in rig.slack.calls()[before:] if c.method != "response_url"]
    assert later == [], [(c.method, all_text(c.params)) for c in later]


def rejected_submission(reply) -> None:
    """A modal submitted from the other workspace: the modal stays open with the refusal, nothing
    of the review in it."""
    assert reply.status == 200
    shown = reply.body
    assert NOT_FOUND in shown and "Secret launch" not in shown and "Private" not in shown, shown


def test_a_review_cannot_be_read_or_changed_from_another_workspace(two):
    both(two)
    two.clock.set(MONTH_END_10)
    two.app.jobs.run("selfreview-open", now=MONTH_END_10)
    two.deliver()
    prompt = dm_with(two, AMY, "Write self-review")

    # The self-review: neither opened nor written from the other workspace.
    before = len(two.slack.calls())
    assert forged(two, AMY, prompt, "Write self-review") == NOT_FOUND
    nothing_shown(two, before)
    press(two, AMY, prompt, "Write self-review")
    modal = two.last_view()
    rejected_submission(two.submit(AMY, modal, SELF_REVIEW, team=OTHER))
    assert (review(two).status, review(two).achievements) == ("not_started", None)
    assert two.submit(AMY, modal, SELF_REVIEW, team=ACME).body == ""
    two.deliver()
    assert review(two).status == "self_review_in"

    # The evaluation: the supervisor's form shows the self-review, so it must not open elsewhere.
    ask = dm_with(two, LEAD_A, "Evaluate")
    before = len(two.slack.calls())
    assert forged(two, LEAD_A, ask, "Evaluate") == NOT_FOUND
    assert forged(two, LEAD_A, ask, "Ask colleagues") == NOT_FOUND
    nothing_shown(two, before)
    press(two, LEAD_A, ask, "Ask colleagues")
    rejected_submission(two.submit(LEAD_A, two.last_view(), {"rv_peers": [BOSS_A]}, team=OTHER))
    with transaction(two.app.db) as s:
        assert s.scalars(select(PeerRating)).all() == []
    press(two, LEAD_A, ask, "Evaluate")
    evaluation = two.last_view()
    rejected_submission(two.submit(LEAD_A, evaluation, EVALUATION, team=OTHER))
    assert (review(two).status, review(two).evaluator_id) == ("self_review_in", None)
    assert two.submit(LEAD_A, evaluation, EVALUATION, team=ACME).body == ""
    two.deliver()
    assert review(two).status == "evaluated"

    # The result: not acknowledged, not objected to from the other workspace.
    result = dm_with(two, AMY, "Acknowledge")
    before = len(two.slack.calls())
    assert forged(two, AMY, result, "Acknowledge") == NOT_FOUND
    assert forged(two, AMY, result, "Object") == NOT_FOUND
    nothing_shown(two, before)
    press(two, AMY, result, "Object")
    objection = two.last_view()
    rejected_submission(two.submit(AMY, objection, {"rv_reason": "Unfair"}, team=OTHER))
    assert (review(two).status, review(two).objection) == ("evaluated", None)
    press(two, AMY, result, "Acknowledge")
    assert review(two).status == "acknowledged"

    # Nothing of the review ever went to the other workspace's people.
    for c in two.slack.calls():
        if c.params.get("channel") in (LEAD_B, BEN, CHANNEL_B):
            assert "Secret launch" not in all_text(c.params) and "Private" not in all_text(c.params)


def test_a_plan_cannot_be_answered_or_revised_from_another_workspace(two):
    both(two)
    r = two.command(LEAD_A, "/opsbot", f"targets <@{AMY}>", channel=CHANNEL_A, team=OTHER)
    assert "supervisor" in r.json()["text"], r.body  # he leads no team of the other workspace
    assert two.command(LEAD_A, "/opsbot", f"targets <@{AMY}>", channel=CHANNEL_A, team=ACME).body == ""
    plan = two.last_view()
    values = {"rv_target_topics_approved": "3", "rv_target_reads": "10000"}
    reply = two.submit(LEAD_A, plan, values, team=OTHER)
    assert reply.status == 200 and "Secret" not in reply.body
    with transaction(two.app.db) as s:
        assert s.scalars(select(ReviewPlanRound)).all() == []
    assert two.submit(LEAD_A, plan, values, team=ACME).body == ""
    two.deliver()

    dm = dm_with(two, AMY, "Agree")
    before = len(two.slack.calls())
    assert forged(two, AMY, dm, "Agree") == NOT_FOUND
    assert forged(two, AMY, dm, "Comment") == NOT_FOUND
    nothing_shown(two, before)
    with transaction(two.app.db) as s:
        assert s.scalars(select(ReviewPlan.status)).one() == "proposed"
    press(two, AMY, dm, "Comment")
    rejected = two.submit(AMY, two.last_view(), {"rv_plan_comment": "Too many"}, team=OTHER)
    assert NOT_FOUND in rejected.body
    with transaction(two.app.db) as s:
        assert s.scalars(select(ReviewPlanRound.comment)).one() is None
    press(two, AMY, dm, "Agree")
    with transaction(two.app.db) as s:
        assert s.scalars(select(ReviewPlan.status)).one() == "agreed"


def test_report_export_and_settings_only_for_teams_of_the_request_workspace(two):
    both(two)
    with transaction(two.app.db) as s:
        acme = s.scalars(select(Team).where(Team.workspace == ACME)).one()
        acme_id, quota = acme.id, acme.weekly_topic_quota
    for sub in ("report week", "export topics", "settings"):
        before = len(two.slack.calls())
        r = two.command(LEAD_A, "/opsbot", sub, channel=CHANNEL_A, team=OTHER)
        assert "Only a" in r.json()["text"] and "supervisor" in r.json()["text"], (sub, r.body)
        two.deliver()
        assert [c.method for c in two.slack.calls()[before:]] == [], sub
    # Nor the team's reviews, nor a member's goals.
    r = two.command(LEAD_A, "/opsbot", "reviews", channel=CHANNEL_A, team=OTHER)
    assert "Only a team's supervisors" in r.json()["text"], r.body
    r = two.command(LEAD_A, "/opsbot", f"goals <@{AMY}>", channel=CHANNEL_A, team=OTHER)
    assert "private" in r.json()["text"], r.body
    assert "Only a team's supervisors" not in two.command(LEAD_A, "/opsbot", "reviews", channel=CHANNEL_A,
                                                          team=ACME).body
    assert two.command(LEAD_A, "/opsbot", f"goals <@{AMY}>", channel=CHANNEL_A, team=ACME).body == ""
    # Status in the other workspace tells of no team of Acme's.
    r = two.command(LEAD_A, "/opsbot", "status", channel=CHANNEL_A, team=OTHER)
    assert "Growth" not in r.json()["text"]

    # The settings modal opened in Acme, submitted from the other workspace: nothing changes.
    assert two.command(LEAD_A, "/opsbot", "settings", channel=CHANNEL_A, team=ACME).body == ""
    settings = two.last_view()
    assert str(acme_id) in settings["private_metadata"]
    reply = two.submit(LEAD_A, settings, {"weekly_topic_quota": str(quota + 3)}, team=OTHER)
    assert NOT_FOUND in reply.body, reply.body
    with transaction(two.app.db) as s:
        assert s.get_one(Team, acme_id).weekly_topic_quota == quota
    reply = two.submit(LEAD_A, settings, {"weekly_topic_quota": str(quota + 3)}, team=ACME)
    assert reply.json()["response_action"] == "update", reply.body
    with transaction(two.app.db) as s:
        assert s.get_one(Team, acme_id).weekly_topic_quota == quota + 3

    # From Acme, report and export work for Acme's team.
    for sub in ("report week", "export topics"):
        r = two.command(LEAD_A, "/opsbot", sub, channel=CHANNEL_A, team=ACME)
        assert "Growth" in r.json()["text"], (sub, r.body)
    # The other workspace's supervisor is not answered with Acme's team either.
    r = two.command(LEAD_B, "/opsbot", "report week", channel=CHANNEL_A, team=OTHER)
    assert "Growth" in r.json()["text"]


def evaluated(rig: Rig) -> None:
    """Amy's November review, written and evaluated in Acme."""
    rig.clock.set(MONTH_END_10)
    rig.app.jobs.run("selfreview-open", now=MONTH_END_10)
    rig.deliver()
    press(rig, AMY, dm_with(rig, AMY, "Write self-review"), "Write self-review")
    assert rig.submit(AMY, rig.last_view(), SELF_REVIEW, team=ACME).body == ""
    rig.deliver()
    press(rig, LEAD_A, dm_with(rig, LEAD_A, "Evaluate"), "Evaluate")
    assert rig.submit(LEAD_A, rig.last_view(), EVALUATION, team=ACME).body == ""
    rig.deliver()


def test_a_feedback_talk_cannot_be_scheduled_from_another_workspace(two):
    both(two)
    evaluated(two)
    r = two.command(LEAD_A, "/opsbot", f"talk <@{AMY}>", channel=CHANNEL_A, team=OTHER)
    assert "supervisor" in r.json()["text"] and "Secret" not in r.body, r.body
    assert two.command(LEAD_A, "/opsbot", f"talk <@{AMY}>", channel=CHANNEL_A, team=ACME).body == ""
    modal = two.last_view()
    values = {"fb_talk_at": TALK_AT, "fb_talk_place": "Room 3"}
    rejected_submission(two.submit(LEAD_A, modal, values, team=OTHER))
    with transaction(two.app.db) as s:
        assert s.scalars(select(FeedbackTalk)).all() == []
    assert two.submit(LEAD_A, modal, values, team=ACME).body == ""
    with transaction(two.app.db) as s:
        assert [t.user_id for t in s.scalars(select(FeedbackTalk))] == [AMY]
    two.deliver()

    # Its notes: neither the form nor the submission from the other workspace.
    two.app.jobs.run("talk-reminder", now=datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI))
    two.deliver()
    two.clock.set(TALK_AT + timedelta(minutes=45))
    reminder = dm_with(two, LEAD_A, "Record notes")
    before = len(two.slack.calls())
    assert forged(two, LEAD_A, reminder, "Record notes") == NOT_FOUND
    nothing_shown(two, before)
    press(two, LEAD_A, reminder, "Record notes")
    notes = two.last_view()
    plan = {"fb_notes": "Private notes", "fb_item_1_text": "Outline every draft", "fb_item_1_due": "2026-12-11"}
    rejected_submission(two.submit(LEAD_A, notes, plan, team=OTHER))
    with transaction(two.app.db) as s:
        assert s.scalars(select(FeedbackTalk.notes)).one() is None
    assert two.submit(LEAD_A, notes, plan, team=ACME).body == ""
    two.deliver()

    # The member's answer: not from the other workspace.
    dm = dm_with(two, AMY, "Acknowledge")
    before = len(two.slack.calls())
    assert forged(two, AMY, dm, "Acknowledge") == NOT_FOUND
    assert forged(two, AMY, dm, "Object") == NOT_FOUND
    nothing_shown(two, before)
    with transaction(two.app.db) as s:
        assert s.scalars(select(FeedbackTalk.status)).one() == "recorded"
    press(two, AMY, dm, "Acknowledge")
    with transaction(two.app.db) as s:
        assert s.scalars(select(FeedbackTalk.status)).one() == "acknowledged"


def test_training_and_onboarding_only_in_the_request_workspace(two):
    both(two)
    # Training: announced for Acme's team only from Acme; answered only from Acme.
    r = two.command(LEAD_A, "/opsbot", "training", channel=CHANNEL_A, team=OTHER)
    assert "supervisor" in r.json()["text"], r.body
    assert two.command(LEAD_A, "/opsbot", "training", channel=CHANNEL_A, team=ACME).body == ""
    modal = two.last_view()
    values = {"training_topic": "Writing headlines", "training_place": "Room 3", "training_start": TRAINING_AT}
    assert NOT_FOUND in two.submit(LEAD_A, modal, values, team=OTHER).body
    with transaction(two.app.db) as s:
        assert s.scalars(select(TrainingSession)).all() == []
    assert two.submit(LEAD_A, modal, values, team=ACME).json()["response_action"] == "update"
    two.deliver()
    [card] = [c for c in cards(two.slack.calls(), CHANNEL_A) if "Writing headlines" in all_text(c.params)][:1]
    before = len(two.slack.calls())
    assert forged(two, AMY, card, "Join") == NOT_FOUND
    nothing_shown(two, before)
    with transaction(two.app.db) as s:
        assert s.scalars(select(TrainingAnswer)).all() == []
    press(two, AMY, card, "Join")
    with transaction(two.app.db) as s:
        assert [a.user_id for a in s.scalars(select(TrainingAnswer))] == [AMY]

    # Onboarding: Acme's checklist is neither shown nor changed from the other workspace.
    r = two.command(LEAD_A, "/opsbot", "onboarding", channel=CHANNEL_A, team=OTHER)
    assert "supervisor" in r.json()["text"], r.body
    assert two.command(LEAD_A, "/opsbot", "onboarding", channel=CHANNEL_A, team=ACME).body == ""
    checklist = two.last_view()
    assert NOT_FOUND in two.submit(LEAD_A, checklist, {"onboarding_items": "0: Meet the team"}, team=OTHER).body
    with transaction(two.app.db) as s:
        assert not s.scalars(select(Team.onboarding).where(Team.workspace == ACME)).one()
    assert two.submit(LEAD_A, checklist, {"onboarding_items": "0: Meet the team"}, team=ACME).status == 200
    with transaction(two.app.db) as s:
        assert s.scalars(select(Team.onboarding).where(Team.workspace == ACME)).one()
