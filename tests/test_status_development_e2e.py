"""/opsbot status carries issue 18's pieces (item 6): the month's plan (a member
their own; a supervisor the team's agreed / proposed / none), kudos this month,
onboarding in progress and the next training session."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import transaction
from storage.onboarding import OnboardingItem, OnboardingRun
from tests.conftest import ALICE, BOB, LEAD, LEAD2
from tests.test_home_development_e2e import announce
from tests.test_kudos_e2e import kudos
from tests.test_plan_e2e import agree, propose
from tests.test_plan_e2e import rig as rig  # noqa: F401 - the plan rig: 2 Nov 2026, Bob reads Chinese
from tests.test_status_help_e2e import status
from tests.test_training_e2e import click as card_click


def onboarding(rig, user: str, *items: str) -> None:
    """``user`` (a founding member, whose run started with the team's empty checklist) has ``items`` to do."""
    with transaction(rig.app.db) as s:
        run = s.scalars(select(OnboardingRun).where(OnboardingRun.user_id == user)).one()
        for n, text in enumerate(items):
            s.add(OnboardingItem(run_id=run.id, position=n, day=n, text=text))


def test_members_see_their_own_plan_kudos_onboarding_and_next_session(rig):
    assert "Your plan for 2026-11: none yet" in status(rig, ALICE)
    propose(rig, ALICE)
    text = status(rig, ALICE)
    assert "Your plan for 2026-11: waiting for your answer — Agree or Comment on the plan message or your Home" in text
    assert "Next training" not in text and "Kudos received this month: 0" in text
    agree(rig, ALICE)
    kudos(rig, BOB, f"<@{ALICE}> wrote the launch post overnight")
    onboarding(rig, ALICE, "Read the handbook", "Shadow a review")
    announce(rig)
    card_click(rig, ALICE, "Join")
    text = status(rig, ALICE)
    assert "Your plan for 2026-11: agreed" in text and "Kudos received this month: 1" in text
    assert "Your onboarding: 0 / 2 items done" in text
    assert "Next training: <!date^" in text and "Writing headlines · 1 joining · you are joining" in text
    assert "Plans for 2026-11" not in text, "a member sees only their own plan"
    bob = status(rig, BOB)  # reads Chinese
    assert "2026-11 绩效计划：尚无" in bob and "本月收到的点赞：0" in bob and "入职" not in bob


def test_supervisors_see_the_teams_aggregates(rig):
    propose(rig, ALICE)
    kudos(rig, BOB, f"<@{ALICE}> wrote the launch post overnight")
    r = kudos(rig, ALICE, f"<@{BOB}> fixed the broken dashboard before the review")
    assert "Kudos left today" in r.json()["text"], r.body
    onboarding(rig, BOB, "Read the handbook")
    announce(rig)
    text = status(rig, LEAD)
    assert "Plans for 2026-11: 0 agreed · 1 proposed · 1 none" in text
    assert "Kudos in the team this month: 2" in text and "1 new member(s) still onboarding" in text
    assert "Writing headlines · 0 joining" in text
    assert "Your plan" not in text and "Kudos received" not in text, "Lena is not a member"
    assert "2026-11 绩效计划：0 人已同意 · 1 人已提出 · 1 人尚无" in status(rig, LEAD2)
