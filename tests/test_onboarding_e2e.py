"""Onboarding (培训与发展, issue 18), end to end: the team's checklist set by a
supervisor in Slack, a member added through the team's Edit gets each item
by DM on its working day (National Day 2026 and its 调休 Saturday included),
presses Done, and the supervisors follow the progress on Home."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.cli_teams import _team_raw
from storage.db import transaction
from storage.leave import Leave
from storage.models import AuditEntry, Team
from storage.onboarding import OnboardingItem, OnboardingRun
from tests.conftest import ALICE, CHANNEL, LEAD, SHANGHAI, TEAMS, USERS, make_rig
from tests.helpers import all_text, dms
from tests.test_team_setup_e2e import MEI, NEW, field_error, filled, fresh, set_up

CHECKLIST = "0: Read the handbook\n2: Shadow a content review\n3: Propose your first topic\n5: Write your intro post"
MON_0928 = datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def team_row(rig, name: str) -> Team:
    with transaction(rig.app.db) as s:
        row = s.scalar(select(Team).where(Team.name == name))
        s.expunge_all()
        return row


def items_of(rig, user: str) -> list[OnboardingItem]:
    with transaction(rig.app.db) as s:
        rows = list(s.scalars(select(OnboardingItem).join(OnboardingRun, OnboardingRun.id == OnboardingItem.run_id)
                              .where(OnboardingRun.user_id == user).order_by(OnboardingItem.position)))
        s.expunge_all()
        return rows


def home_of(rig, user: str) -> dict[str, Any]:
    rig.event({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"Ev{time.monotonic_ns()}")
    rig.deliver()
    view = [c for c in rig.slack.calls("views.publish") if c.params["user_id"] == user][-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def onboarding_dms(rig, user: str) -> list[str]:
    return [all_text(c.params) for c in dms(rig.slack.calls(), user) if "onboarding_done" in json.dumps(c.params)
            or "✅" in all_text(c.params) and "Onboarding" in all_text(c.params)]


def done_value(payload: dict[str, Any]) -> str:
    blocks = payload["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    found = [el["value"] for b in blocks for el in (b.get("elements") or []) + [b.get("accessory") or {}]
             if str(el.get("action_id", "")).startswith("onboarding_done")]
    assert found, blocks
    return found[0]


def run_job(rig, when: datetime, manual: bool = False) -> None:
    rig.clock.set(when)
    rig.app.jobs.run("onboarding", now=when, manual=manual)
    rig.deliver()


def set_checklist(rig, user: str, text: str, channel: str = NEW):
    r = rig.command(user, "/opsbot", "onboarding", channel=channel)
    assert r.status == 200 and r.body == "", r.body
    return rig.submit(user, rig.last_view(), {"onboarding_items": text})


def add_member(rig, team: Team, member: str, members: list[str]) -> None:
    rig.click(LEAD, f"team_edit:{team.id}", str(team.id), home=True)
    r = rig.submit(LEAD, rig.last_view(), filled(team_members=members))
    assert r.json()["response_action"] == "update", r.body
    rig.deliver()


def test_a_new_member_works_through_the_checklist_on_working_days(database_url):
    rig = fresh(database_url, start=MON_0928)
    try:
        team = set_up(rig)  # Launch: CN calendar, Shanghai; Lena supervises, Alice and Bob members
        # A bad line is a field error naming the line; nothing is stored.
        field, message = field_error(set_checklist(rig, LEAD, "0: Read the handbook\nshadow someone"))
        assert field == "onboarding_items" and "Line 2" in message
        assert team_row(rig, "Launch").onboarding is None
        # A member cannot change it.
        denied = rig.command(ALICE, "/opsbot", "onboarding", channel=NEW).json()
        assert "Only a supervisor of this team" in denied["text"]
        done = set_checklist(rig, LEAD, CHECKLIST).json()
        assert done["response_action"] == "update" and "has 4 items now" in all_text(done["view"])
        assert team_row(rig, "Launch").onboarding[1] == {"day": 2, "item": "Shadow a content review"}

        # Wednesday 30 September: Mei (zh-CN) is added through the team's Edit.
        rig.clock.set(at(date(2026, 9, 30), 9))
        add_member(rig, team, MEI, [*filled()["team_members"], MEI])
        assert [i.text for i in items_of(rig, MEI)] == ["Read the handbook", "Shadow a content review",
                                                        "Propose your first topic", "Write your intro post"]
        rig.slack.clear()
        run_job(rig, at(date(2026, 9, 30), 9))  # before the daily hour: nothing yet
        assert onboarding_dms(rig, MEI) == []
        run_job(rig, at(date(2026, 9, 30)))
        [day0] = onboarding_dms(rig, MEI)
        assert "入职" in day0 and "Read the handbook" in day0 and "完成" in day0  # in Chinese
        run_job(rig, at(date(2026, 9, 30), 11))  # a second run sends nothing twice
        assert len(onboarding_dms(rig, MEI)) == 1

        # National Day (1–7 October) and its weekend: nothing; day 1 is Thursday 8, day 2 Friday 9.
        for d in (date(2026, 10, 5), date(2026, 10, 8)):
            run_job(rig, at(d))
        assert len(onboarding_dms(rig, MEI)) == 1
        run_job(rig, at(date(2026, 10, 9)))
        assert "Shadow a content review" in onboarding_dms(rig, MEI)[-1]
        # Saturday 10 October is a make-up working day (调休): day 3.
        run_job(rig, at(date(2026, 10, 10)))
        assert "Propose your first topic" in onboarding_dms(rig, MEI)[-1] and len(onboarding_dms(rig, MEI)) == 3

        # Day 5 is Tuesday 13 October, a day of Mei's approved leave: nothing; it comes when she is back.
        with transaction(rig.app.db) as s:
            s.add(Leave(team_id=team.id, user_id=MEI, start_date=date(2026, 10, 13), end_date=date(2026, 10, 13),
                        reason="dentist", status="approved", created_at=at(date(2026, 10, 1))))
        run_job(rig, at(date(2026, 10, 13)))
        assert len(onboarding_dms(rig, MEI)) == 3
        run_job(rig, at(date(2026, 10, 14)))
        assert "Write your intro post" in onboarding_dms(rig, MEI)[-1] and len(onboarding_dms(rig, MEI)) == 4
        _done_and_progress(rig)
    finally:
        rig.stop()


def _done_and_progress(rig) -> None:
    """Wednesday 14 October: Mei presses Done on her first item; Lena cannot press it for her."""
    first, second = items_of(rig, MEI)[:2]
    [dm0] = [c for c in dms(rig.slack.calls(), MEI) if "Read the handbook" in all_text(c.params)]
    r = rig.click(MEI, "onboarding_done", done_value(dm0.params), message=dm0)
    assert "已完成" in r.json()["text"]
    assert items_of(rig, MEI)[0].done_at is not None
    home = all_text(home_of(rig, MEI))
    assert "Shadow a content review" in home and "Read the handbook" not in home  # open items stay until done

    r = rig.click(LEAD, "onboarding_done", str(second.id), message=dm0)
    assert "only they can mark it done" in r.json()["text"]
    assert items_of(rig, MEI)[1].done_at is None
    with transaction(rig.app.db) as s:
        [denied] = s.scalars(select(AuditEntry).where(AuditEntry.action == "onboarding.done",
                                                      AuditEntry.outcome == "denied")).all()
        assert (denied.actor_id, denied.item_id) == (LEAD, second.id)

    # Lena's Home: Mei's progress, overdue items flagged. Alice, added when the team was set up (before
    # it had a checklist), took the checklist when Lena set it, from her own first day.
    lead = all_text(home_of(rig, LEAD))
    assert f"<@{MEI}> — 1 / 4 onboarding items done · ⚠️ 3 overdue" in lead
    assert f"<@{ALICE}> — 0 / 4 onboarding items done · ⚠️ 4 overdue" in lead
    # From her Home, Mei presses Done on the next one; Lena's Home follows.
    home = home_of(rig, MEI)
    rig.click(MEI, f"onboarding_done:{second.id}", str(second.id), home=True)
    rig.deliver()
    assert items_of(rig, MEI)[1].done_at is not None
    assert f"<@{MEI}> — 2 / 4 onboarding items done" in all_text(home_of(rig, LEAD))
    assert home


def test_a_team_the_file_manages_keeps_its_checklist_in_the_file(database_url):
    file = {**TEAMS, "teams": [{**TEAMS["teams"][0], "onboarding": [{"day": 0, "item": "Meet the team"},
                                                                      {"day": 1, "item": "Read the brand guide"}]}]}
    rig = make_rig(database_url, teams=file, users=USERS).start()
    try:
        growth = team_row(rig, "Growth")
        assert growth.onboarding == [{"day": 0, "item": "Meet the team"}, {"day": 1, "item": "Read the brand guide"}]
        r = rig.command(LEAD, "/opsbot", "onboarding", channel=CHANNEL)
        assert r.body == ""
        modal = rig.last_view()
        assert "managed by the teams file" in all_text(modal) and "submit" not in modal
        assert "0: Meet the team" in json.dumps(modal)
        forged = {**modal, "blocks": [{"type": "input", "block_id": "onboarding_items", "label": {
            "type": "plain_text", "text": "Items"}, "element": {"type": "plain_text_input", "action_id": "items_input"}}]}
        field, message = field_error(rig.submit(LEAD, forged, {"onboarding_items": "0: Something else"}))
        assert "managed by the teams file" in message
        assert team_row(rig, "Growth").onboarding == growth.onboarding
        # `opsbot teams export` carries it.
        with transaction(rig.app.db) as s:
            assert _team_raw(s, s.get(Team, growth.id))["onboarding"] == growth.onboarding
    finally:
        rig.stop()
