"""`opsbot jobs list` (and the scheduler, which asks the same question) shows
`plan-progress` at its next real run: the team's mid-month day (the next
working day if it is not one) at the daily hour, not at the next daily hour;
and, while someone with an agreed plan has not had it (on leave that day),
the next working day's daily hour."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from storage.db import transaction
from storage.leave import Leave
from storage.models import Team
from tests.conftest import ALICE, BOB
from tests.test_cli import CN_TEAM
from tests.test_cli import opsbot as opsbot  # noqa: F401 - the CLI against a fresh SQLite file
from tests.test_plan_e2e import NOV_2, agree, at, propose
from tests.test_plan_e2e import rig as rig  # noqa: F401 - the plan rig: 2 Nov 2026, all in Shanghai


def next_run(rig, after: datetime) -> datetime | None:
    [nr] = rig.app.jobs.next_runs(after, job="plan-progress")
    return nr.at.astimezone(after.tzinfo) if nr.at else None


def test_jobs_list_shows_plan_progress_on_the_mid_month_working_day(opsbot):
    opsbot.teams(CN_TEAM)
    runs = opsbot.next_runs("--now", "2026-11-02T00:00:00Z")
    assert runs["plan-progress", "Growth"] == "2026-11-16T10:00:00+08:00", "the 15th is a Sunday"
    assert runs["quota-reminder", "Growth"] != runs["plan-progress", "Growth"]
    runs = opsbot.next_runs("--now", "2026-11-16T03:00:00Z")  # past this month's: December's
    assert runs["plan-progress", "Growth"] == "2026-12-15T10:00:00+08:00"
    opsbot.teams({**CN_TEAM, "reviews": {"plan_progress_day": 20}})
    assert opsbot.next_runs("--now", "2026-11-02T00:00:00Z")["plan-progress", "Growth"] == "2026-11-20T10:00:00+08:00"


def test_someone_on_leave_on_the_day_keeps_the_next_working_day_planned_until_they_have_it(rig):
    assert next_run(rig, NOV_2) == at(16, 10, 0)
    propose(rig, ALICE)
    propose(rig, BOB)
    agree(rig, ALICE)
    agree(rig, BOB)
    with transaction(rig.app.db) as s:
        team = s.scalar(select(Team).where(Team.name == "Growth"))
        s.add(Leave(team_id=team.id, user_id=BOB, start_date=date(2026, 11, 16), end_date=date(2026, 11, 16),
                    reason="dentist", status="approved", created_at=NOV_2))
    assert next_run(rig, at(13)) == at(16, 10, 0)
    rig.clock.set(at(16))
    rig.app.jobs.run("plan-progress", now=at(16))  # Alice has it; Bob is on leave
    assert next_run(rig, at(16)) == at(17, 10, 0), "Bob's comes on his first day back"
    rig.clock.set(at(17))
    rig.app.jobs.run("plan-progress", now=at(17))
    assert next_run(rig, at(17)) == datetime(2026, 12, 15, 10, 0, tzinfo=at(17).tzinfo), "everyone has had it"
