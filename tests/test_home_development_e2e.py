"""Home carries issue 18's pieces (item 6) end to end: a member's plan for the
month (waiting for their answer, with Agree / Comment on Home; agreed, its
targets beside the actuals so far), their upcoming training sessions and
career goals of the year; a supervisor's plans not yet agreed and the
sessions' join counts. A member never sees another member's plan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.kernel.i18n import gettext_for
from bot.kernel.views import Person
from bot.workflows.home import views as home_views
from handlers.home.blocks import home
from storage.db import transaction
from storage.reviews import ReviewPlan
from storage.training import TrainingAnswer
from tests.conftest import ALICE, BOB, CHANNEL, EVE, LEAD, LEAD2, SHANGHAI
from tests.helpers import all_text, cards, dms
from tests.support.blockkit import validate_view
from tests.test_home_e2e import actions, last_home, open_home
from tests.test_plan_e2e import propose
from tests.test_plan_e2e import rig as rig  # noqa: F401 - the plan rig: 2 Nov 2026, Bob reads Chinese
from tests.test_training_e2e import click as card_click

SESSION_AT = datetime(2026, 11, 5, 15, 0, tzinfo=SHANGHAI)


def announce(rig) -> None:
    rig.command(LEAD, "/opsbot", "training", channel=CHANNEL)
    done = rig.submit(LEAD, rig.last_view(), {"training_topic": "Writing headlines", "training_place": "Room 3",
                                              "training_start": SESSION_AT}).json()
    assert done["response_action"] == "update"
    rig.deliver()


def plan_status(rig) -> dict[str, str]:
    with transaction(rig.app.db) as s:
        return {p.user_id: p.status for p in s.scalars(select(ReviewPlan))}


def test_a_members_plan_waits_on_home_with_agree_and_then_shows_targets_against_actuals(rig):
    propose(rig, ALICE)
    home = open_home(rig, ALICE)
    text = all_text(home)
    assert "*Your plan for 2026-11* — waiting for your answer (round 1)" in text
    ids = dict(actions(home))
    agree = next(a for a in ids if a.startswith("plan_agree:"))
    assert any(a.startswith("plan_comment:") for a in ids)
    assert "No career goals for 2026 yet — add them with `/opsbot goals`" in text

    # Bob (a member, reading Chinese) sees no plan of his and nothing of Alice's.
    bob = all_text(open_home(rig, BOB))
    assert "plan" not in bob.lower() and "计划" not in bob and ALICE not in bob
    assert "`/opsbot goals`" in bob and "职业目标" in bob

    lead = all_text(open_home(rig, LEAD))
    assert "*Plans not agreed for 2026-11* (2)" in lead
    assert f"<@{ALICE}> — proposed, waiting for their answer" in lead and f"<@{BOB}> — no plan yet" in lead

    # Another member cannot answer Alice's plan from a forged Home button.
    assert rig.click(BOB, agree, ids[agree], home=True).status == 200
    assert plan_status(rig) == {ALICE: "proposed"}

    assert rig.click(ALICE, agree, ids[agree], home=True).status == 200
    rig.deliver()
    assert plan_status(rig) == {ALICE: "agreed"}
    after = all_text(open_home(rig, ALICE))
    assert "*Your plan for 2026-11* — agreed; so far this month:" in after
    assert "(target 3)" in after and "(target 10,000)" in after
    assert not any(a.startswith("plan_agree:") for a, _v in actions(open_home(rig, ALICE)))
    lead = all_text(open_home(rig, LEAD))
    assert "*Plans not agreed for 2026-11* (1) — `/opsbot targets @member`\n• <@U0BOB> — no plan yet" in lead
    assert f"<@{ALICE}> — proposed" not in lead


def test_comment_from_home_opens_the_comment_form(rig):
    propose(rig, ALICE)
    ids = dict(actions(open_home(rig, ALICE)))
    comment = next(a for a in ids if a.startswith("plan_comment:"))
    opened = len(rig.opened_views())
    assert rig.click(ALICE, comment, ids[comment], home=True).status == 200
    assert len(rig.opened_views()) == opened + 1
    rig.submit(ALICE, rig.last_view(), {"rv_plan_comment": "Reads target is too high."})
    rig.deliver()
    assert plan_status(rig) == {ALICE: "commented"}
    assert "you commented on round 1; your supervisor is revising it." in all_text(open_home(rig, ALICE))
    assert f"<@{ALICE}> — commented, waiting for your revision" in all_text(open_home(rig, LEAD))


def answers(rig) -> dict[str, bool]:
    with transaction(rig.app.db) as s:
        return {a.user_id: a.joining for a in s.scalars(select(TrainingAnswer))}


def test_upcoming_training_and_goals_on_home(rig):
    announce(rig)
    alice = all_text(open_home(rig, ALICE))
    assert "*Upcoming training*" in alice and "*Writing headlines* — Room 3" in alice
    card_click(rig, ALICE, "Join")
    card_click(rig, BOB, "Can't make it")
    assert "✅ you are joining" in all_text(open_home(rig, ALICE))
    assert "Writing headlines" not in all_text(open_home(rig, BOB)), "a declined session leaves Home"
    lead = all_text(open_home(rig, LEAD))
    assert "*Writing headlines* — Room 3 — 1 joining" in lead
    assert "`/opsbot goals`" not in lead, "a supervisor who is not a member keeps no goals here"
    assert "1 人参加" in all_text(open_home(rig, LEAD2))

    rig.command(ALICE, "/opsbot", "goals", channel=CHANNEL)
    rig.submit(ALICE, rig.last_view(), {"career_goals": "Lead a campaign\nLearn SQL"})
    assert "Career goals for 2026: 2 — edit them with `/opsbot goals`" in all_text(open_home(rig, ALICE))

    rig.clock.set(datetime(2026, 11, 5, 16, 0, tzinfo=SHANGHAI))
    assert "Upcoming training" not in all_text(open_home(rig, ALICE)), "a started session is no longer upcoming"


def test_a_member_answers_a_session_from_home_and_the_card_and_home_follow(rig):
    announce(rig)
    home = open_home(rig, ALICE)
    assert "*Writing headlines* — Room 3 — not answered yet" in all_text(home)
    ids = dict(actions(home))
    join = next(a for a in ids if a.startswith("training_join:"))
    decline = next(a for a in ids if a.startswith("training_decline:"))
    assert ids[join] == ids[decline] and join.endswith(":" + ids[join]), "the session's own id, as on the card"

    # Nobody outside the team answers for it from a forged Home button; nothing changes.
    assert rig.click(EVE, join, ids[join], home=True).status == 200
    rig.deliver()
    assert answers(rig) == {}
    assert "Only members of" in all_text(dms(rig.slack.calls(), EVE)[-1].params), "told why, by DM"

    rig.slack.clear()
    assert rig.click(ALICE, join, ids[join], home=True).status == 200
    rig.deliver()
    assert answers(rig) == {ALICE: True}
    after = last_home(rig, ALICE)
    assert "✅ you are joining" in all_text(after), "Home is redrawn without being opened again"
    assert not any(a.startswith("training_") for a, _v in actions(after))
    updated = [c for c in cards(rig.slack.calls(), CHANNEL) if c.method == "chat.update"]
    assert updated and "✅ 1 joining · ❌ 0 can't make it" in all_text(updated[-1].params), "the card counts it"

    bob = open_home(rig, BOB)  # reading Chinese: the same buttons, in Chinese
    assert "尚未回复" in all_text(bob)
    ids = dict(actions(bob))
    decline = next(a for a in ids if a.startswith("training_decline:"))
    assert rig.click(BOB, decline, ids[decline], home=True).status == 200
    rig.deliver()
    assert answers(rig) == {ALICE: True, BOB: False}
    assert "Writing headlines" not in all_text(last_home(rig, BOB)), "a declined session leaves Home"
    assert not any(a.startswith("training_") for a, _v in actions(open_home(rig, LEAD))), "supervisors see counts"


def home_in_chinese(user: str, teams: list[home_views.HomeTeam]) -> tuple[dict, list[str]]:
    """Home rendered as the outbox would: a valid view within 100 blocks, each action id once in it."""
    view = home(home_views.HomeView(locale="zh-CN", user_id=user, teams=teams), gettext_for("zh-CN"))
    validate_view(view)
    assert len(view["blocks"]) <= 100
    ids = [a for a, _v in actions(view)]
    assert len(ids) == len(set(ids))
    return view, ids


def test_a_supervisor_member_of_many_teams_with_every_new_section_stays_within_slacks_block_limit():
    # Six teams, each with a plan waiting for the viewer's answer, many sessions,
    # every member's plan not agreed and a full decisions list: rendered as the
    # outbox would, within 100 blocks, each Agree / Comment id once in the view.
    long = "A very long title " * 12

    def team(n: int) -> home_views.HomeTeam:
        decisions = [home_views.HomeDecision("topic", 100 * n + i, long, Person(f"U0M{i:03d}", None), 1795395600,
                                             str(100 * n + i)) for i in range(20)]
        return home_views.HomeTeam(
            team_name=f"Team {n}", count=0, quota=3, topics=[], is_supervisor=True, decisions=decisions,
            plan=home_views.HomePlan("2026-11", "proposed", 10 * n, 2),
            plans_open=[home_views.HomePlanLine(Person(f"U0M{i:03d}", None), "none") for i in range(40)],
            sessions=[home_views.HomeSession(i, long, 1795395600 + i, long, None, i) for i in range(12)],
            goals=2, goals_year=2026, plan_period="2026-11")

    view, ids = home_in_chinese(LEAD, [team(n) for n in range(1, 7)])
    assert "plan_agree:10" in ids and "plan_comment:10" in ids, "the first team's plan keeps its buttons"
    text = all_text(view)
    assert "……另有 20 条。" in text and "……另有 7 条。" in text, "long lists are summarised"
    assert "首页无法全部显示" not in text, "the buttons gave way, not the content"


def test_a_member_of_many_teams_with_unanswered_sessions_stays_within_slacks_block_limit():
    # Six teams whose member has a plan to answer and a dozen sessions not answered in each:
    # the sessions' Join / Can't make it draw on the same budget as every other button.
    long = "A very long title " * 12

    def team(n: int) -> home_views.HomeTeam:
        return home_views.HomeTeam(
            team_name=f"Team {n}", count=0, quota=3, topics=[], is_supervisor=False, is_member=True,
            plan=home_views.HomePlan("2026-11", "proposed", 10 * n, 2),
            sessions=[home_views.HomeSession(100 * n + i, long, 1795395600 + i, long, None, 0) for i in range(12)],
            goals=2, goals_year=2026)

    view, ids = home_in_chinese(ALICE, [team(n) for n in range(1, 7)])
    assert "training_join:100" in ids and "training_decline:100" in ids, "the first session keeps its buttons"
    assert "首页无法全部显示" not in all_text(view), "the buttons gave way, not the content"
