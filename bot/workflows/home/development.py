"""Home's issue-18 lines (docs/RULES.md §四(三), §五): this month's performance
plan, upcoming training sessions and the year's career goals. A member's
plan is read only for them (and, as a list of who has not agreed, for the
team's supervisors); never for another member."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.kernel import views as v
from bot.kernel.team import TeamView
from bot.workflows.home import views as home_views
from bot.workflows.reviews import rules as review_rules
from bot.workflows.reviews.figures import TARGET_KEYS, figures_for
from bot.workflows.reviews.views import ReviewFigure
from storage import queries
from storage import reviews as review_rows
from storage import training as training_rows

UPCOMING = timedelta(days=60)  # training sessions shown ahead
SESSION_LINES = 5


def this_period(team: TeamView, now: datetime) -> str:
    today = team.today(now)
    return review_rules.period_id(today.year, today.month)


def member_plan(s: Session, team: TeamView, user_id: str, now: datetime) -> home_views.HomePlan | None:
    """The viewer's own plan for this month: agreed (its targets beside the
    actuals so far) or waiting for their answer; None without one."""
    period = this_period(team, now)
    p = review_rows.plan(s, team.id, user_id, period)
    if p is None or p.round == 0:
        return None
    current = review_rows.plan_round(s, p.id, p.round)
    assert current is not None
    figures: list[ReviewFigure] = []
    if p.status == "agreed":
        agreed = review_rows.plan_round(s, p.id, p.agreed_round or p.round) or current
        actual = {f.key: f.actual for f in figures_for(s, team, user_id, period)}
        figures = [ReviewFigure(k, actual.get(k), agreed.targets.get(k)) for k in TARGET_KEYS
                   if agreed.targets.get(k) is not None]
    return home_views.HomePlan(period, p.status, current.id, p.round, figures)


def plans_open(s: Session, team: TeamView, now: datetime) -> list[home_views.HomePlanLine]:
    """For the team's supervisors: each member whose plan for this month is not agreed, and where it stands."""
    period = this_period(team, now)
    members = queries.team_user_ids(s, team.id, "member")
    plans = review_rows.plans_of_period(s, team.id, period)
    names = queries.slack_users(s, members)
    out = []
    for m in members:
        p = plans.get(m)
        status = "none" if p is None or p.round == 0 else p.status
        if status != "agreed":
            out.append(home_views.HomePlanLine(v.Person(m, getattr(names.get(m), "name", None)), status))
    return out


def sessions(s: Session, team: TeamView, user_id: str, now: datetime, supervisor: bool
             ) -> list[home_views.HomeSession]:
    """Upcoming sessions: a supervisor sees each with its join count; a member
    those they joined or have not answered (not those they declined)."""
    upcoming = training_rows.sessions_between(s, team.id, now, now + UPCOMING)
    answers = training_rows.answers_for(s, [r.id for r in upcoming])
    out = []
    for r in upcoming:
        mine = answers[r.id].get(user_id)
        if mine is False and not supervisor:
            continue
        out.append(home_views.HomeSession(r.id, r.topic, int(r.starts_at.timestamp()), r.place, mine,
                                          sum(1 for yes in answers[r.id].values() if yes)))
    return out


def goals_count(s: Session, team: TeamView, user_id: str, now: datetime) -> tuple[int, int]:
    """(how many career goals the member keeps for this year, the year)."""
    year = team.today(now).year
    row = training_rows.goals_row(s, team.id, user_id, year)
    return len(row.goals or []) if row else 0, year
