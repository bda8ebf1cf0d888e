"""Career development plans (docs/RULES.md §五): each member keeps up to five
goals for the year, private to them and their team's supervisors, shown in
the annual review where the supervisor comments. One transaction each."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound, NotInTeam
from bot.kernel.people import _locale_for, _resolve_team
from bot.kernel.team import team_view
from bot.kernel.views import Mention
from bot.workflows.training import rules, views
from storage import queries
from storage import training as rows
from storage.db import transaction
from storage.models import Team

GOALS = "goals"
PRIVATE = N_("{member}'s career goals are private to them and their team's supervisors.")


def goals_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, channel_id: str | None) -> views.GoalsForm:
    """The member's own goals of this year, in the team of the channel (else their first team)."""
    with transaction(db) as s:
        team, _fallback = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        tv = team_view(team)
        year = tv.today(clock.now()).year
        row = rows.goals_row(s, team.id, user_id, year)
        return views.GoalsForm(_locale_for(s, user_id, tv), team.id, team.name, year, user_id,
                               list(row.goals) if row else [], read_only=False)


def save_goals(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, team_id: int, text: str | None) -> int:
    """Replace the member's goals of this year in the team; a bad line stores nothing. The count saved."""
    goals = rules.parse_goals(text)
    now = clock.now()
    with transaction(db) as s:
        team = s.get(Team, team_id)
        if team is None or not team.active or not queries.in_workspace(s, team.id, workspace):
            raise NotFound()
        if not queries.is_in_team(s, team.id, user_id):
            raise NotInTeam(N_("You are not a member of that team."))
        year = team_view(team).today(now).year
        before = rows.set_goals(s, team.id, user_id, year, goals, now)
        queries.add_audit(s, at=now, actor_id=user_id, action="goals.update", outcome="ok", team_id=team.id,
                          item_kind=GOALS, item_id=year, before={"count": len(before)}, after={"count": len(goals)},
                          detail=None)
        return len(goals)


def member_goals(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, member: str) -> views.GoalsForm:
    """A member's goals of this year, read only, for a supervisor of a team they are in; refused to anyone else."""
    with transaction(db) as s:
        supervised = {t.id: t for t in queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)}
        team = next((t for t in queries.teams_of_user(s, member) if t.id in supervised), None)
        if team is not None and member != user_id:
            tv = team_view(team)
            year = tv.today(clock.now()).year
            row = rows.goals_row(s, team.id, member, year)
            return views.GoalsForm(_locale_for(s, user_id, tv), team.id, team.name, year, member,
                                   list(row.goals) if row else [], read_only=True)
    if member == user_id:
        return goals_form(db=db, clock=clock, user_id=user_id, channel_id=None, workspace=workspace)
    raise NotAuthorized(PRIVATE, member=Mention(member)).refused(
        "goals.view", "not a supervisor of the member's team", item_kind=GOALS, item_id=None, team_id=None)


def goals_of(s: Session, team_id: int, user_id: str, year: int) -> list[str]:
    """For the annual review (opened by a supervisor of the team, or the member): the goals of that year."""
    row = rows.goals_row(s, team_id, user_id, year)
    return list(row.goals) if row else []
