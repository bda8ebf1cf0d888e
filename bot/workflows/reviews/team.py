"""A team's reviews at a glance, for its supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.errors import N_, InvalidInput, NotAuthorized
from bot.kernel.team import TeamView, team_view
from bot.workflows.leave.away import after_leave_many
from bot.workflows.reviews import rules
from bot.workflows.reviews.rules import ReviewStatus as St
from bot.workflows.reviews.service import REVIEW, _locale, config
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import Team


@dataclass(frozen=True)
class StatusRow:
    member: str
    status: str
    late: bool


@dataclass(frozen=True)
class TeamReviews:
    locale: str
    team_name: str
    period: str
    self_due: date
    evaluation_due: date
    rows: list[StatusRow]


def team_reviews(*, db: sessionmaker[Session], clock: Clock, user_id: str, period: str | None,
                 channel_id: str | None = None) -> TeamReviews:
    """Every member's review status for a month, for the team's supervisors only."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        supervised = queries.teams_of_user(s, user_id, role="supervisor")
        if not supervised:
            queries.add_audit(s, at=now, actor_id=user_id, action="review.status", outcome="denied", team_id=None,
                              item_kind=REVIEW, item_id=None, before=None, after=None,
                              detail="not a supervisor of any team")
            failure = NotAuthorized(N_("Only a team's supervisors can see its reviews; yours are in your DMs."))
        else:
            row = next((t for t in supervised if t.channel == channel_id), supervised[0])
            team = team_view(row)
            cfg = config(row)
            today = team.today(now)
            if period:
                period = rules.typed_month(period, today, team.today(row.created_at))
            ym = rules.parse_period(period) if period else rules.review_month(today, team.calendar)
            if ym is None:
                raise InvalidInput(N_("Give the month as YYYY-MM, e.g. 2026-11."))
            pid = rules.period_id(*ym)
            d = rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                                evaluation_workday=cfg.evaluation_due_workday)
            rows = status_rows(s, team, pid, d, today)
            return TeamReviews(_locale(s, user_id, team), team.name, pid, d.self_review, d.evaluation, rows)
    raise failure


def status_rows(s: Session, team: TeamView, pid: str, d: rules.Deadlines, today: date) -> list[StatusRow]:
    """Each member's monthly review status for ``pid``, and whether it is late
    (a self-review's due date moves past the member's leave). Three queries
    whatever the team's size."""
    existing = review_rows.reviews_of_period(s, team.id, rules.MONTHLY, pid)
    members = queries.team_user_ids(s, team.id, "member")
    self_due = after_leave_many(s, team.id, members, d.self_review, team.calendar)
    rows = []
    for m in members:
        r = existing.get(m)
        status = r.status if r else St.NOT_STARTED
        # Late only once asked: with no row, the month's cycle never opened
        # for this member (a fresh install, a newcomer), as the reminders see it.
        late = (r is not None and status == St.NOT_STARTED and today > self_due[m]) or (
            status == St.SELF_REVIEW_IN and today > d.evaluation)
        rows.append(StatusRow(m, status, late))
    return rows


def review_dates(row: Team, today: date) -> tuple[str, rules.Deadlines]:
    """The monthly review period open ``today`` and its deadlines."""
    team, cfg = team_view(row), config(row)
    ym = rules.review_month(today, team.calendar)
    return rules.period_id(*ym), rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                                                 evaluation_workday=cfg.evaluation_due_workday)
