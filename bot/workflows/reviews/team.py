"""A team's reviews at a glance, for its supervisors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, InvalidInput, NotAuthorized
from bot.kernel.team import TeamView, team_view
from bot.workflows.leave.away import after_leave_many
from bot.workflows.reviews import rules
from bot.workflows.reviews.rules import ReviewStatus as St
from bot.workflows.reviews.service import REVIEW, _locale, config
from bot.workflows.reviews.views import StatusRow, TeamReviews
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import OutboxNotice, Team

TEAM_REVIEWS = "team_reviews"  # the DM that answers `/opsbot reviews` typed in a channel


def in_app_dm(s: Session, user_id: str, channel_id: str | None) -> bool:
    """Whether ``channel_id`` is this person's DM with the app (its messages
    tab): the channel Slack gave the last DM the app delivered to them. A DM
    between people, a group DM or a channel is not, nor is any DM while the
    app has never written to this person: then the answer goes by DM."""
    if not channel_id or not channel_id.startswith("D"):
        return False
    last = s.scalar(select(OutboxNotice.result).where(
        OutboxNotice.kind == notices.DM, OutboxNotice.recipient == user_id, OutboxNotice.status == "delivered")
        .order_by(OutboxNotice.id.desc()).limit(1))
    return isinstance(last, dict) and last.get("channel") == channel_id


def _supervised_team(s: Session, user_id: str, channel_id: str | None, workspace: str | None = None) -> Team | None:
    supervised = queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)
    if not supervised:
        return None
    return next((t for t in supervised if t.channel == channel_id), supervised[0])


def _period_of(team: TeamView, period: str | None, now: datetime, created_at: datetime) -> str:
    today = team.today(now)
    if period:
        period = rules.typed_month(period, today, team.today(created_at))
    ym = rules.parse_period(period) if period else rules.review_month(today, team.calendar)
    if ym is None:
        raise InvalidInput(N_("Give the month as YYYY-MM, e.g. 2026-11."))
    return rules.period_id(*ym)


def team_reviews(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, period: str | None,
                 channel_id: str | None = None) -> TeamReviews | str:
    """Every member's review status for a month, for the team's supervisors only.
    Asked in a DM with the app, the answer itself; asked anywhere else, the
    answer is written to the outbox as a DM and only the asker's locale comes back."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        row = _supervised_team(s, user_id, channel_id, workspace)
        if row is None:
            failure = NotAuthorized(N_("Only a team's supervisors can see its reviews; yours are in your DMs.")
                                    ).refused("review.status", "not a supervisor of any team", item_kind=REVIEW)
        else:
            team = team_view(row)
            pid = _period_of(team, period, now, row.created_at)
            if not in_app_dm(s, user_id, channel_id):
                notices.enqueue_dm(s, user=user_id, type=TEAM_REVIEWS, team_id=team.id, now=now, period=pid)
                return _locale(s, user_id, team)
            return reviews_of(s, row, user_id, pid, now)
    raise failure


def reviews_of(s: Session, row: Team, user_id: str, pid: str, now: datetime) -> TeamReviews:
    team, cfg = team_view(row), config(row)
    ym = rules.parse_period(pid)
    assert ym is not None
    d = rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                        evaluation_workday=cfg.evaluation_due_workday)
    rows = status_rows(s, team, pid, d, team.today(now))
    return TeamReviews(_locale(s, user_id, team), team.name, pid, d.self_review, d.evaluation, rows)


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
