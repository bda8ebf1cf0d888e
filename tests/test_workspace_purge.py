"""The purge of an uninstalled workspace follows every foreign key (issue 19): after the demo's
whole week (topics, drafts and publications, activities, leave, reviews and plans, feedback talks,
training, kudos, onboarding) in two teams, purging the workspace of one leaves no row of that team
anywhere and every row of the other, on both backends with their keys enforced; with the team go
the workspace's admins and the cached profiles of people no team and no admin row still names."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from bot.devtools.demo import Demo
from bot.kernel import workspaces
from bot.kernel.clock import ManualClock
from storage.db import make_engine, make_session_factory, transaction
from storage.models import Admin, Base, Membership, SlackUser, Team, WorkspaceUninstall

GONE, STAYS = "T0GONE", "T0STAYS"
ALICE, BOB, LEAD, MEI, WANG, OWNER = "U0ALICE", "U0BOB", "U0LEAD", "U0MEI", "U0WANG", "U0GONEOWNER"


def by_team(db, team_id: int) -> dict[str, int]:
    """Rows that name the team, per table: ``teams`` itself and each table with a team_id column."""
    out = {}
    with transaction(db) as s:
        for table in Base.metadata.sorted_tables:
            column = table.c.id if table.name == "teams" else table.c.get("team_id")
            if column is None or table.name == "workspace_uninstalls" or table.name.startswith("slack_"):
                continue
            if n := s.scalar(select(func.count()).select_from(table).where(column == team_id)):
                out[table.name] = n
    return out


def totals(db) -> dict[str, int]:
    with transaction(db) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_purging_a_workspace_after_the_demo_week_deletes_every_row_of_its_team_and_none_of_the_other(database_url):
    assert Demo(database_url=database_url, out=io.StringIO()).run() == 0
    engine = make_engine(database_url)
    db = make_session_factory(engine)
    try:
        with transaction(db) as s:
            (gone, gone_name), (stays, _name) = s.execute(select(Team.id, Team.name).order_by(Team.id)).all()
            s.execute(update(Team).where(Team.id == gone).values(workspace=GONE))
            s.execute(update(Team).where(Team.id == stays).values(workspace=STAYS))
            s.add(WorkspaceUninstall(enterprise_id="", team_id=GONE, reason="app_uninstalled",
                                     uninstalled_at=datetime(2026, 11, 30, tzinfo=UTC)))
            people_of_the_two_workspaces(s, gone, stays)
        before_gone, before_stays, before = by_team(db, gone), by_team(db, stays), totals(db)
        # The demo's week fills the deep tables too: the purge has children of children to delete first
        # (rounds, events, answers, attendees, ratings, metrics: refused by the enforced keys otherwise).
        assert {"topics", "drafts", "publications", "reviews", "feedback_talks", "training_sessions",
                "leaves", "activities", "memberships", "outbox"} <= set(before_gone)
        assert {"draft_rounds", "review_events", "training_attendees"} <= {t for t, n in before.items() if n}

        clock = ManualClock(datetime(2026, 12, 6, tzinfo=UTC))
        assert workspaces.purge(db=db, clock=clock, days=30) == []  # 6 days in: kept
        assert totals(db) == before
        [done] = workspaces.purge(db=db, clock=clock, days=30, team_ids=[GONE], at_once=True)

        assert done.teams == [gone_name]
        assert {t: done.rows.get(t) for t in before_gone} == before_gone
        assert by_team(db, gone) == {}
        assert by_team(db, stays) == before_stays
        after = totals(db)  # what it reports deleting is exactly what went
        assert {t: before[t] - after[t] for t in before if before[t] != after[t]} == done.rows
        with transaction(db) as s:
            assert s.scalars(select(Team.workspace)).all() == [STAYS]
            assert s.get(WorkspaceUninstall, ("", GONE)).purged_at == clock.now()
            # Lena (the gone team's supervisor) and its owner were its only; Alice is in the other team
            # too (an Enterprise Grid id), Bob an admin of the whole deployment, Mei and Wang the other's.
            assert set(s.scalars(select(SlackUser.user_id))) == {ALICE, BOB, MEI, WANG}
            assert set(s.execute(select(Admin.user_id, Admin.workspace))) == {(WANG, STAYS), (BOB, "")}
        assert (done.rows["admins"], done.rows["slack_users"]) == (2, 2)
        assert workspaces.purge(db=db, clock=clock, days=0) == []  # once
    finally:
        engine.dispose()


def people_of_the_two_workspaces(s, gone: int, stays: int) -> None:
    """The demo's people (a profile each: Alice, Bob, Lena in Growth; Mei, Wang in the other team),
    now with admins: Lena installed the gone workspace, a workspace owner of it is an admin there
    (and has a profile), Wang installed the other, Bob is named for the whole deployment; and
    Alice, a Grid user id, is in a team of each workspace."""
    assert set(s.scalars(select(SlackUser.user_id))) == {ALICE, BOB, LEAD, MEI, WANG}
    at = datetime(2026, 11, 1, tzinfo=UTC)
    s.add_all([Admin(user_id=LEAD, workspace=GONE, source="install", added_at=at),
               Admin(user_id=OWNER, workspace=GONE, source="slack", added_at=at),
               Admin(user_id=WANG, workspace=STAYS, source="install", added_at=at),
               Admin(user_id=BOB, workspace="", source="cli", added_at=at),
               SlackUser(user_id=OWNER, name="owner", refreshed_at=at),
               Membership(team_id=stays, user_id=ALICE, role="member")])
    assert s.scalar(select(Membership.id).where(Membership.team_id == gone, Membership.user_id == ALICE))
