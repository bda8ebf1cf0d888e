"""``/opsbot status``'s issue-18 lines: the month's plans, kudos, onboarding
in progress, the next training session and open improvement items. A member sees their own; a
supervisor the team's aggregates (never another member's plan in detail)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.periods import month_bounds
from bot.kernel.team import TeamView
from bot.workflows.home.development import UPCOMING, this_period
from bot.workflows.onboarding import service as onboarding
from bot.workflows.status import views as status_views
from storage import feedback as feedback_rows
from storage import kudos as kudos_rows
from storage import queries
from storage import reviews as review_rows
from storage import training as training_rows


def _plans(s: Session, team: TeamView, user_id: str, period: str, member: bool, supervisor: bool
           ) -> tuple[str | None, dict[str, int]]:
    plans = review_rows.plans_of_period(s, team.id, period)
    own = None
    if member:
        p = plans.get(user_id)
        own = "none" if p is None or p.round == 0 else p.status
    counts: dict[str, int] = {}
    if supervisor:
        for m in queries.team_user_ids(s, team.id, "member"):
            p = plans.get(m)
            key = "none" if p is None or p.round == 0 else ("agreed" if p.status == "agreed" else "proposed")
            counts[key] = counts.get(key, 0) + 1
    return own, counts


def _next_session(s: Session, team: TeamView, user_id: str, now: datetime) -> status_views.StatusSession | None:
    upcoming = training_rows.sessions_between(s, team.id, now, now + UPCOMING)
    if not upcoming:
        return None
    r = upcoming[0]
    answers = training_rows.answers_for(s, [r.id])[r.id]
    return status_views.StatusSession(r.topic, int(r.starts_at.timestamp()), answers.get(user_id),
                                      sum(1 for yes in answers.values() if yes))


def _improvement(s: Session, team: TeamView, user_id: str, now: datetime, supervisor: bool
                 ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(open, overdue) improvement items the caller owns, and the team's for a supervisor."""
    today = team.today(now)

    def counted(items) -> tuple[int, int]:
        return len(items), sum(1 for i in items if i.due_date < today)

    own = feedback_rows.open_items(s, team.id, owner_id=user_id)
    everyone = feedback_rows.open_items(s, team.id) if supervisor else []
    return (counted(own) if own else None), (counted(everyone) if everyone else None)


def extras(s: Session, team: TeamView, user_id: str, now: datetime, member: bool, supervisor: bool
           ) -> status_views.StatusExtras:
    period = this_period(team, now)
    own_plan, plan_counts = _plans(s, team, user_id, period, member, supervisor)
    start, end = month_bounds(now, team.tz)
    progress = onboarding.progress(s, team, now)
    mine = next((p for p in progress if p.user_id == user_id), None) if member else None
    items_own, items_team = _improvement(s, team, user_id, now, supervisor)
    return status_views.StatusExtras(
        plan_period=period, own_plan=own_plan, plan_counts=plan_counts,
        kudos_received=kudos_rows.count_between(s, team.id, start, end, recipient=user_id) if member else None,
        kudos_team=kudos_rows.count_between(s, team.id, start, end) if supervisor else None,
        onboarding_own=(mine.done, mine.total) if mine else None,
        onboarding_members=len(progress) if supervisor else 0,
        next_session=_next_session(s, team, user_id, now),
        improvement_own=items_own, improvement_team=items_team,
    )
