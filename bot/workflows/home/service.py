"""The App Home tab's content for one person (docs/PRODUCT.md §3).

A member sees, per team: this week's quota progress, their own items and
their stage, and what is due when. A supervisor sees in addition what waits
on them (with the card's buttons), who is behind on quota this week, and whose
monthly review is late. Every list is read in one query per team, whatever
the team's size; the renderer summarises beyond Slack's block limit.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.periods import local_date, local_instant
from bot.kernel import views as v
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from bot.workflows.activities.rules import retro_overdue_day
from bot.workflows.content import views as content_views
from bot.workflows.feedback.home import home_section as feedback_section
from bot.workflows.home import development
from bot.workflows.home import views as home_views
from bot.workflows.kudos import service as kudos_service
from bot.workflows.leave.away import after_leave
from bot.workflows.onboarding import service as onboarding
from bot.workflows.pending import service as pending
from bot.workflows.reviews.rules import ReviewStatus
from bot.workflows.reviews.team import review_dates, status_rows
from bot.workflows.teams import service as teams_service
from bot.workflows.topics import views as topic_views
from bot.workflows.topics.quota import progress_for
from storage import content as content_rows
from storage import home as home_rows
from storage import queries
from storage import reviews as review_rows
from storage import topics as topic_rows
from storage.content import Draft
from storage.models import Team

# Publications stay on Home for two weeks, with their latest metrics.
RECENT_PUBLICATIONS = timedelta(days=14)
NOON = time(12)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _day_epoch(team: TeamView, day) -> int:
    """A due date as an instant at noon in the team's zone: each reader's
    ``<!date>`` shows the same day whatever their zone."""
    return _epoch(local_instant(day, NOON, team.tz))


def _own_items(s: Session, row: Team, team: TeamView, user_id: str, now: datetime, member: bool) -> list[home_views.HomeItem]:
    today = team.today(now)
    items: list[home_views.HomeItem] = []
    for d, title in home_rows.open_drafts(s, team.id, user_id):
        items.append(home_views.HomeItem("draft", d.id, title, d.status, round=d.round))
    pubs = home_rows.recent_publications(s, team.id, user_id, now - RECENT_PUBLICATIONS)
    latest = content_rows.latest_metrics(s, [p.id for p, _t in pubs])
    for p, title in pubs:
        m = latest.get(p.id)
        shown = content_views.MetricsLine(m.reads, m.likes, m.comments, m.shares, _epoch(m.at)) if m else None
        items.append(home_views.HomeItem("publication", p.id, title, "published" if m else "metrics_wanted", metrics=shown))
    for a in home_rows.open_activities(s, team.id, user_id):
        if a.status == "approved" and a.ends_at <= now:
            due_day = after_leave(s, team.id, user_id, retro_overdue_day(local_date(a.ends_at, team.tz), team.calendar),
                                  team.calendar)
            items.append(home_views.HomeItem("activity", a.id, a.theme, "retro_due", round=a.round,
                                    due=_day_epoch(team, due_day), late=today > due_day))
        else:
            items.append(home_views.HomeItem("activity", a.id, a.theme, a.status, round=a.round, due=_epoch(a.starts_at)))
    for lv in home_rows.open_leaves(s, team.id, user_id, today):
        items.append(home_views.HomeItem("leave", lv.id, f"{lv.start_date.isoformat()} – {lv.end_date.isoformat()}", lv.status))
    period, dates = review_dates(row, today)
    review = review_rows.reviews_of_period(s, team.id, "monthly", period).get(user_id)
    due = after_leave(s, team.id, user_id, dates.self_review, team.calendar) if member else None
    # As in /opsbot status: a month whose cycle was never opened for this
    # person (a fresh install, a newcomer) is not shown once its due day is
    # past; nobody asked for that self-review, so it is not late.
    if member and due is not None and (review is not None or today <= due):
        status = review.status if review else ReviewStatus.NOT_STARTED
        items.append(home_views.HomeItem("review", review.id if review else 0, period, status,
                                due=_day_epoch(team, due) if status == ReviewStatus.NOT_STARTED else None,
                                late=today > due))
    return items


def _decisions(s: Session, team_id: int, user_id: str, now: datetime) -> list[home_views.HomeDecision]:
    # A supervisor's own items wait on another supervisor, not on them (docs/PRODUCT.md §1).
    waiting = [w for w in pending.waiting(s, team_id, now) if w.author_id != user_id]
    rounds = dict(s.execute(select(Draft.id, Draft.round).where(
        Draft.id.in_([w.id for w in waiting if w.kind == "draft"]))).all()) if waiting else {}
    names = queries.slack_users(s, [w.author_id for w in waiting])
    return [
        home_views.HomeDecision(w.kind, w.id, w.title, v.Person(w.author_id, getattr(names.get(w.author_id), "name", None)),
                       _epoch(w.since), f"{w.id}:{rounds.get(w.id, 0)}" if w.kind == "draft" else str(w.id))
        for w in waiting
    ]


def _supervision(s: Session, row: Team, team: TeamView, user_id: str, now: datetime
                 ) -> tuple[list[home_views.HomeDecision], list[home_views.HomeBehind], list[v.Person], str]:
    members = queries.team_user_ids(s, team.id, "member")
    names = queries.slack_users(s, members)

    def person(u: str) -> v.Person:
        return v.Person(u, getattr(names.get(u), "name", None))

    progress = progress_for(s, team, members, monday=team.monday(now))
    behind = [home_views.HomeBehind(person(u), p.count, p.quota) for u, p in progress.items() if p.count < p.quota]
    today = team.today(now)
    period, dates = review_dates(row, today)
    late = [person(r.member) for r in status_rows(s, team, period, dates, today) if r.late]
    return _decisions(s, team.id, user_id, now), behind, late, period


def home_view(s: Session, user_id: str, now: datetime, workspace: str = "",
              enterprise_id: str | None = None) -> home_views.HomeView:
    """``user_id``'s Home; in OAuth mode as published in ``workspace``, whose teams alone its
    Teams section shows (and whose admins alone may manage them)."""
    rows = list(queries.teams_of_user(s, user_id, workspace=workspace or None))  # a Home shows its workspace's
    teams = [team_view(t) for t in rows]
    profile = queries.slack_users(s, [user_id]).get(user_id)
    locale = resolve_locale(profile.locale if profile else None, teams[0].locale if teams else "en")
    me = v.Person(user_id, profile.name if profile else None)
    out: list[home_views.HomeTeam] = []
    for row, team in zip(rows, teams, strict=True):
        prog = progress_for(s, team, [user_id], monday=team.monday(now))[user_id]
        mine = topic_rows.topics_for_week(s, team.id, team.week(now), author_id=user_id)
        member = queries.has_role(s, team.id, user_id, "member")
        items = _own_items(s, row, team, user_id, now, member)
        due = sorted((i for i in items if i.due is not None and i.stage in ("retro_due", "not_started")),
                     key=lambda i: (i.due, i.kind, i.id))
        supervisor = queries.has_role(s, team.id, user_id, "supervisor")
        decisions, behind, late, period = _supervision(s, row, team, user_id, now) if supervisor else ([], [], [], "")
        goals, year = development.goals_count(s, team, user_id, now) if member else (None, 0)
        out.append(home_views.HomeTeam(
            team_name=team.name, count=prog.count, quota=prog.quota,
            topics=[topic_views.TopicLine(t.id, t.title, t.status, me) for t in mine], is_supervisor=supervisor,
            items=items, due=due, decisions=decisions, behind=behind, late_reviews=late, review_period=period,
            is_member=member, kudos_received=kudos_service.received_this_month(s, team, user_id, now),
            onboarding=onboarding.open_items(s, team, user_id, now) if member else [],
            onboarding_progress=onboarding.progress(s, team, now) if supervisor else [],
            feedback=feedback_section(s, team, user_id, now, supervisor),
            plan=development.member_plan(s, team, user_id, now) if member else None,
            plans_open=development.plans_open(s, team, now) if supervisor else [],
            sessions=development.sessions(s, team, user_id, now, supervisor), goals=goals, goals_year=year,
            plan_period=development.this_period(team, now),
        ))
    return home_views.HomeView(locale=locale, user_id=user_id, teams=out,
                               team_admin=teams_service.teams_section(s, user_id, workspace, enterprise_id))
