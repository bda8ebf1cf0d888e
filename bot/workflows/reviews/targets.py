"""A member's monthly plan (绩效计划, docs/RULES.md §四(三)), proposed by a
supervisor in the targets modal: the built-in targets plus up to five custom
indicators. Saving proposes a round to the member (``plan.py`` carries on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.team import TeamView, team_view
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.figures import TARGET_KEYS, agreed_indicators, figures_for
from bot.workflows.reviews.service import REVIEW, _locale
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import Team
from storage.queries import _insert_ignore
from storage.reviews import ReviewPlan, ReviewPlanRound

PLAN = "plan"


@dataclass(frozen=True)
class TargetsContext:
    locale: str
    team_id: int
    team_name: str
    member: str
    period: str
    current: dict[str, int | None]
    indicators: str = ""  # the custom indicators as typed: name | target | standard, a line each
    status: str | None = None  # the plan's: proposed | commented | agreed, or None
    round: int = 0
    # The agreed plan beside the actuals so far.
    figures: list[review_views.ReviewFigure] = field(default_factory=list)
    agreed: list[review_views.PlanIndicator] = field(default_factory=list)


def _supervised_team_of(s: Session, supervisor: str, member: str, workspace: str | None = None) -> Team | None:
    for t in queries.teams_of_user(s, supervisor, role="supervisor", workspace=workspace):
        if queries.has_role(s, t.id, member, "member"):
            return t
    return None


def _not_supervisor(member: str) -> NotAuthorized:
    return NotAuthorized(N_("Only a supervisor of <@{user}>'s team can set their targets."), user=member
                         ).refused("review.targets", f"not a supervisor of {member}", item_kind=REVIEW)


def _form(s: Session, row: Team, team: TeamView, user_id: str, member: str, period: str) -> TargetsContext:
    p = review_rows.plan(s, team.id, member, period)
    latest = review_rows.plan_round(s, p.id, p.round) if p else None
    if latest is not None:
        current = {k: latest.targets.get(k) for k in TARGET_KEYS}
        typed = rules.indicators_text(latest.indicators)
    else:
        t = review_rows.targets(s, team.id, member, period)
        current, typed = {k: (getattr(t, k) if t else None) for k in TARGET_KEYS}, ""
    figures = [f for f in figures_for(s, team, member, period) if f.key in TARGET_KEYS] \
        if p and p.agreed_round else []
    return TargetsContext(_locale(s, user_id, team), team.id, team.name, member, period, current, typed,
                          p.status if p else None, p.round if p else 0, figures,
                          agreed_indicators(s, team.id, member, period))


def targets_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, member: str,
                 period: str | None) -> TargetsContext:
    now = clock.now()
    with transaction(db) as s:
        row = _supervised_team_of(s, user_id, member, workspace)
        if row is not None:
            team = team_view(row)
            today = team.today(now)
            if period is None:
                period = rules.period_id(today.year, today.month)
            else:
                period = rules.plan_month(rules.typed_month(period, today, team.today(row.created_at)), today)
            return _form(s, row, team, user_id, member, period)
    raise _not_supervisor(member)


def propose(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, member: str, period: str,
            values: dict[str, str | None], indicators: str | None) -> None:
    """Save the plan as a new round and send it to the member to agree or comment."""
    now = clock.now()
    parsed = {k: rules.parse_target(values.get(k), rules.FIELD_TARGET[k]) for k in TARGET_KEYS}
    custom = rules.parse_indicators(indicators)
    if rules.parse_period(period) is None:
        raise NotFound()
    with transaction(db) as s:
        row = _supervised_team_of(s, user_id, member, workspace)
        if row is not None:
            # The month comes back in the modal's metadata: check it as if typed, then as a plan's.
            team = team_view(row)
            today = team.today(now)
            period = rules.plan_month(rules.typed_month(period, today, team.today(row.created_at)), today)
            _add_round(s, row, user_id, member, period, parsed, custom, now)
            return
    raise _not_supervisor(member)


def _add_round(s: Session, row: Team, user_id: str, member: str, period: str, targets: dict[str, int | None],
               custom: list[dict[str, str]], now: datetime) -> None:
    _insert_ignore(s, ReviewPlan, {"team_id": row.id, "user_id": member, "period": period, "status": "proposed",
                                   "round": 0, "created_at": now})
    p = review_rows.plan(s, row.id, member, period)
    assert p is not None
    before = {"status": p.status, "round": p.round}
    p.round, p.status = p.round + 1, "proposed"
    r = ReviewPlanRound(plan_id=p.id, number=p.round, targets=targets, indicators=custom, proposed_by=user_id,
                        proposed_at=now)
    s.add(r)
    s.flush()
    queries.add_audit(s, at=now, actor_id=user_id, action="review.plan", outcome="ok", team_id=row.id,
                      item_kind=PLAN, item_id=p.id, before=before,
                      after={"round": p.round, "targets": targets, "indicators": custom}, detail=f"{member} {period}")
    notices.enqueue_dm(s, user=member, type="plan_proposed", team_id=row.id, now=now, key=f"plan:{r.id}:proposed",
                       round_id=r.id)
    notices.enqueue_homes(s, users=[member], supervisors_of=row.id, now=now)
