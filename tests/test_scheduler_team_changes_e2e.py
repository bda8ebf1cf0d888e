"""A team set up, edited or archived in Slack reaches the scheduler leader's plan within the
short change check (``CHANGE_CHECK_SECONDS``), whichever replica took the request: not only at
the next full resync, ``RESYNC_MINUTES`` later. A team created at 08:55 is reminded at 09:00."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import bot.kernel.scheduler as scheduler_module
from bot.app import JOBS
from bot.devtools.rig import Rig
from bot.kernel.clock import ManualClock
from bot.kernel.scheduler import Scheduler
from bot.kernel.teams import apply_teams
from bot.kernel.teams_file import parse_teams
from storage.db import make_engine, make_session_factory, transaction
from storage.models import Team
from tests.conftest import ALICE, BOB, LEAD, NO_TEAMS_FILE, TEAMS, make_rig
from tests.helpers import all_text, button, dms, wait_until
from tests.test_team_setup_e2e import ADMIN, NEW, PEOPLE, THU_10, edit_modal, filled

WAIT = 10.0  # seconds: a bound on waiting for the leader's check, never a measure of it


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elections and change checks every fraction of a second; the full resync stays at 10 minutes,
    so that nothing in these tests is planned by it."""
    monkeypatch.setattr(scheduler_module, "LEADER_RETRY_SECONDS", 0.2)
    monkeypatch.setattr(scheduler_module, "CHANGE_CHECK_SECONDS", 0.2)
    assert scheduler_module.RESYNC_MINUTES == 10


def leading(s: Scheduler) -> bool:
    return s.role == "leader" and s._thread is not None and not s._thread.is_alive()


def planned(s: Scheduler) -> set[str]:
    """The leader's per-team jobs: ``job:team_id``."""
    aps = s._aps
    return {j.id for j in aps.get_jobs() if ":" in j.id} if aps is not None else set()


def set_up_launch(rig: Rig) -> int:
    """An admin runs /opsbot setup on ``rig`` and submits the form there: the team Launch."""
    r = rig.command(ADMIN, "/opsbot", "setup", channel=NEW)
    assert r.status == 200 and r.body == "", r.body
    done = rig.submit(ADMIN, rig.last_view(), filled()).json()
    assert done["response_action"] == "update", done
    with transaction(rig.app.db) as s:
        return s.scalars(select(Team.id).where(Team.name == "Launch")).one()


def quota_reminders(rig: Rig, user: str) -> list:
    return [c for c in dms(rig.slack.calls(), user) if "topics this week" in c.params["text"]]


@pytest.fixture
def two_replicas(database_url: str, quick_checks) -> Iterator[tuple[Rig, Rig]]:
    """Two processes of one deployment on one PostgreSQL, each serving HTTP with its scheduler
    running; the first leads, the second follows. No teams file, no team yet."""
    if not database_url.startswith("postgres"):
        pytest.skip("two replicas share one PostgreSQL; SQLite is one process")
    first = make_rig(database_url, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rigs = [first]
    try:
        first.app.start()
        wait_until(lambda: leading(first.app.scheduler), "the first replica to lead", WAIT)
        second = first.replica().start()
        rigs.append(second)
        second.app.start()
        yield first, second
    finally:
        for r in rigs:
            r.app.scheduler.stop()
        for r in reversed(rigs):  # the first rig's stand-in last
            r.stop()


def test_a_team_set_up_on_a_follower_is_planned_by_the_leader_within_the_check_and_reminded_on_time(two_replicas):
    leader, follower = two_replicas
    assert follower.app.scheduler.role == "follower"
    team_id = set_up_launch(follower)  # Monday 09:00 in Shanghai
    assert follower.app.scheduler._aps is None  # the follower plans nothing itself

    every_job = {f"{name}:{team_id}" for name in JOBS}  # each job of the team, planned once
    wait_until(lambda: every_job <= planned(leader.app.scheduler), "the leader to plan the team set up on the follower",
               WAIT)
    job = leader.app.scheduler._aps.get_job(f"quota-reminder:{team_id}")
    # The leader's plan says Thursday 10:00 in the team's zone, as of the product's clock.
    assert job.trigger.get_next_fire_time(None, leader.clock.now()) == THU_10

    # Thursday 10:00: the leader's planned job fires (APScheduler runs it on its own thread).
    leader.clock.set(THU_10)
    job.modify(next_run_time=datetime.now(UTC))
    [to_alice] = wait_until(lambda: quota_reminders(leader, ALICE), "Alice's quota reminder", WAIT)
    assert "0 of 2 topics" in to_alice.params["text"]
    assert quota_reminders(leader, BOB) == []  # Bob works from New York: his 10:00 is later

    # Archived on the follower: the leader drops the team's jobs within the check too.
    modal = edit_modal(follower, ADMIN, team_id)
    follower.click(ADMIN, "team_archive", button({"blocks": modal["blocks"]}, "Archive team")["value"], home=True)
    wait_until(lambda: not any(j.endswith(f":{team_id}") for j in planned(leader.app.scheduler)),
               "the leader to drop the archived team's jobs", WAIT)


def test_a_change_the_leader_made_itself_is_planned_at_its_commit_and_the_check_then_finds_nothing(
        database_url, quick_checks, monkeypatch):
    """Both backends; on SQLite the only process. Its own change is planned at the commit; the
    check is harmless (no second planning). A change from another process (``opsbot teams apply``
    with its own engine) is planned by the check."""
    monkeypatch.setattr(scheduler_module, "CHANGE_CHECK_SECONDS", 3600)  # the test runs the check itself
    rig = make_rig(database_url, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    other = make_engine(database_url)
    try:
        s = rig.app.scheduler
        s.start()
        wait_until(lambda: leading(s), "the scheduler to lead", WAIT)
        team_id = set_up_launch(rig)
        assert f"quota-reminder:{team_id}" in planned(s)  # at the commit, no check needed
        assert s.check_changes() is False

        report = apply_teams(db=make_session_factory(other), clock=rig.clock, config=parse_teams(TEAMS))
        assert report.created == ["Growth"]
        with transaction(rig.app.db) as tx:
            growth = tx.scalars(select(Team.id).where(Team.name == "Growth")).one()
        assert f"quota-reminder:{growth}" not in planned(s)
        assert s.check_changes() is True
        assert {f"quota-reminder:{growth}", f"quota-reminder:{team_id}"} <= planned(s)
        assert s.check_changes() is False

        # Growth archived by a process whose clock is a little behind: stamped earlier than Launch, still seen.
        behind = ManualClock(rig.clock.now() - timedelta(seconds=5))
        report = apply_teams(db=make_session_factory(other), clock=behind, config=parse_teams({**TEAMS, "teams": []}))
        assert report.deactivated == ["Growth"]
        assert s.check_changes() is True
        assert not any(j.endswith(f":{growth}") for j in planned(s))
        assert f"quota-reminder:{team_id}" in planned(s)

        # Launch's lead edits its people in Slack: planned at the commit again, nothing left for the check.
        done = rig.submit(LEAD, edit_modal(rig, LEAD, team_id), {"team_members": [ALICE]}).json()
        assert "Removed: 1." in all_text(done["view"])
        assert s.check_changes() is False
    finally:
        rig.app.scheduler.stop()
        rig.stop()
        other.dispose()
