"""``/opsbot status``: the caller's own week at a glance, per team.

Read-only, one transaction; it reuses the rules the workflows use (quota
progress with leave prorating, the review month and its deadlines, what the
supervisors' pending nudge counts), so the summary agrees with every reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel.clock import Clock
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from bot.workflows.leave.away import after_leave
from bot.workflows.pending import service as pending
from bot.workflows.reviews import rules as review_rules
from bot.workflows.reviews import service as review_svc
from bot.workflows.status import development
from bot.workflows.status import views as status_views
from bot.workflows.topics.quota import progress_for
from storage import queries
from storage import reviews as review_rows
from storage.activities import Activity
from storage.content import Draft, MetricsUpdate, Publication
from storage.db import transaction
from storage.leave import Leave
from storage.models import Team
from storage.topics import Topic

# A publication's figures are asked 1 and 7 days after it went out (metrics-ask);
# until some come in within that window, they are shown as asked.
METRICS_WINDOW = timedelta(days=8)


def _items(s: Session, team: TeamView, user_id: str, now: datetime) -> list[status_views.StatusItem]:
    out: list[status_views.StatusItem] = []
    for t in s.scalars(select(Topic).where(Topic.team_id == team.id, Topic.author_id == user_id,
                                           Topic.status == "proposed").order_by(Topic.id)):
        out.append(status_views.StatusItem("topic", t.id, t.title, t.status))
    for d, title in s.execute(select(Draft, Topic.title).join(Topic, Topic.id == Draft.topic_id)
                              .where(Draft.team_id == team.id, Draft.author_id == user_id,
                                     Draft.status.in_(("in_review", "changes_requested"))).order_by(Draft.id)):
        out.append(status_views.StatusItem("draft", d.id, title, d.status, d.round))
    for a in s.scalars(select(Activity).where(Activity.team_id == team.id, Activity.owner_id == user_id,
                                              Activity.status.in_(("proposed", "changes_requested")))
                       .order_by(Activity.id)):
        out.append(status_views.StatusItem("activity", a.id, a.theme, a.status, a.round))
    for a in s.scalars(select(Activity).where(Activity.team_id == team.id, Activity.owner_id == user_id,
                                              Activity.status == "approved", Activity.ends_at <= now,
                                              Activity.retro.is_(None)).order_by(Activity.ends_at)):
        out.append(status_views.StatusItem("retro", a.id, a.theme, "due", when=team.today(a.ends_at).isoformat()))
    no_figures = ~exists().where(MetricsUpdate.publication_id == Publication.id)
    for p, title in s.execute(select(Publication, Topic.title).join(Draft, Draft.id == Publication.draft_id)
                              .join(Topic, Topic.id == Draft.topic_id)
                              .where(Publication.team_id == team.id, Publication.author_id == user_id,
                                     Publication.published_at >= now - METRICS_WINDOW,
                                     Publication.published_at <= now - timedelta(days=1), no_figures)
                              .order_by(Publication.id)):
        out.append(status_views.StatusItem("metrics", p.id, title, "due", when=p.platform))
    for lv in s.scalars(select(Leave).where(Leave.team_id == team.id, Leave.user_id == user_id,
                                            Leave.status.in_(("pending", "approved")),
                                            Leave.end_date >= team.today(now)).order_by(Leave.start_date)):
        out.append(status_views.StatusItem("leave", lv.id, f"{lv.start_date.isoformat()} – {lv.end_date.isoformat()}",
                                lv.status))
    return out


def my_status(*, db: sessionmaker[Session], clock: Clock, user_id: str,
              workspace: str | None = None) -> status_views.StatusView:
    now = clock.now()
    with transaction(db) as s:
        teams = list(queries.teams_of_user(s, user_id, workspace=workspace))
        profile = queries.slack_users(s, [user_id]).get(user_id)
        locale = resolve_locale(profile.locale if profile else None, teams[0].locale if teams else "en")
        out = []
        for row in teams:
            team = team_view(row)
            is_member = queries.has_role(s, team.id, user_id, "member")
            prog = progress_for(s, team, [user_id], monday=team.monday(now))[user_id]
            period = status = due = None
            if is_member:
                period, status, due = _self_review(s, row, team, user_id, now)
            waiting = 0
            supervisor = queries.has_role(s, team.id, user_id, "supervisor")
            if supervisor:
                waiting = sum(1 for w in pending.waiting(s, team.id, now) if w.author_id != user_id)
            out.append(status_views.StatusTeam(team.name, team.week(now), prog.count, prog.quota, is_member,
                                    _items(s, team, user_id, now), period, status, due, waiting,
                                    development.extras(s, team, user_id, now, is_member, supervisor)))
        return status_views.StatusView(locale, out)


def _self_review(s: Session, row: Team, team: TeamView, user_id: str,
                 now: datetime) -> tuple[str | None, str | None, str | None]:
    """The month a self-review written today is about, its status and due day.
    A month whose cycle was never opened and whose due day has passed is not
    shown (the reminders do not chase it either)."""
    today = team.today(now)
    ym = review_rules.review_month(today, team.calendar)
    period = review_rules.period_id(*ym)
    r = review_rows.review(s, team.id, user_id, review_rules.MONTHLY, period)
    if r is not None:
        due = review_svc.due_dates(s, team, review_svc.config(row), r)
        return period, r.status, due.self_review.isoformat() if due else None
    cfg = review_svc.config(row)
    d = review_rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                               evaluation_workday=cfg.evaluation_due_workday)
    due_day = after_leave(s, team.id, user_id, d.self_review, team.calendar)
    if due_day < today:
        return None, None, None
    return period, review_rules.ReviewStatus.NOT_STARTED, due_day.isoformat()
