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

from bot import views as v
from bot.domain.activities import retro_overdue_day
from bot.domain.periods import local_date, local_instant
from bot.domain.reviews import ReviewStatus
from bot.i18n import resolve_locale
from bot.services import pending
from bot.services.leave import after_leave
from bot.services.quota import progress_for
from bot.services.reviews import review_dates, status_rows
from bot.team import TeamView, team_view
from storage import home_queries as hq
from storage import queries, queries_content
from storage import review_queries as rq
from storage.models import Draft, Team

# Publications stay on Home for two weeks, with their latest metrics.
RECENT_PUBLICATIONS = timedelta(days=14)
NOON = time(12)


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _day_epoch(team: TeamView, day) -> int:
    """A due date as an instant at noon in the team's zone: each reader's
    ``<!date>`` shows the same day whatever their zone."""
    return _epoch(local_instant(day, NOON, team.tz))


def _own_items(s: Session, row: Team, team: TeamView, user_id: str, now: datetime, member: bool) -> list[v.HomeItem]:
    today = team.today(now)
    items: list[v.HomeItem] = []
    for d, title in hq.open_drafts(s, team.id, user_id):
        items.append(v.HomeItem("draft", d.id, title, d.status, round=d.round))
    pubs = hq.recent_publications(s, team.id, user_id, now - RECENT_PUBLICATIONS)
    latest = queries_content.latest_metrics(s, [p.id for p, _t in pubs])
    for p, title in pubs:
        m = latest.get(p.id)
        shown = v.MetricsLine(m.reads, m.likes, m.comments, m.shares, _epoch(m.at)) if m else None
        items.append(v.HomeItem("publication", p.id, title, "published" if m else "metrics_wanted", metrics=shown))
    for a in hq.open_activities(s, team.id, user_id):
        if a.status == "approved" and a.ends_at <= now:
            due_day = after_leave(s, team.id, user_id, retro_overdue_day(local_date(a.ends_at, team.tz), team.calendar),
                                  team.calendar)
            items.append(v.HomeItem("activity", a.id, a.theme, "retro_due", round=a.round,
                                    due=_day_epoch(team, due_day), late=today > due_day))
        else:
            items.append(v.HomeItem("activity", a.id, a.theme, a.status, round=a.round, due=_epoch(a.starts_at)))
    for lv in hq.open_leaves(s, team.id, user_id, today):
        items.append(v.HomeItem("leave", lv.id, f"{lv.start_date.isoformat()} – {lv.end_date.isoformat()}", lv.status))
    period, dates = review_dates(row, today)
    review = rq.reviews_of_period(s, team.id, "monthly", period).get(user_id)
    due = after_leave(s, team.id, user_id, dates.self_review, team.calendar) if member else None
    # As in /opsbot status: a month whose cycle was never opened for this
    # person (a fresh install, a newcomer) is not shown once its due day is
    # past; nobody asked for that self-review, so it is not late.
    if member and due is not None and (review is not None or today <= due):
        status = review.status if review else ReviewStatus.NOT_STARTED
        items.append(v.HomeItem("review", review.id if review else 0, period, status,
                                due=_day_epoch(team, due) if status == ReviewStatus.NOT_STARTED else None,
                                late=today > due))
    return items


def _decisions(s: Session, team_id: int, now: datetime) -> list[v.HomeDecision]:
    waiting = pending.waiting(s, team_id, now)
    rounds = dict(s.execute(select(Draft.id, Draft.round).where(
        Draft.id.in_([w.id for w in waiting if w.kind == "draft"]))).all()) if waiting else {}
    names = queries.slack_users(s, [w.author_id for w in waiting])
    return [
        v.HomeDecision(w.kind, w.id, w.title, v.Person(w.author_id, getattr(names.get(w.author_id), "name", None)),
                       _epoch(w.since), f"{w.id}:{rounds.get(w.id, 0)}" if w.kind == "draft" else str(w.id))
        for w in waiting
    ]


def _supervision(s: Session, row: Team, team: TeamView, now: datetime
                 ) -> tuple[list[v.HomeDecision], list[v.HomeBehind], list[v.Person], str]:
    members = queries.team_user_ids(s, team.id, "member")
    names = queries.slack_users(s, members)

    def person(u: str) -> v.Person:
        return v.Person(u, getattr(names.get(u), "name", None))

    progress = progress_for(s, team, members, monday=team.monday(now))
    behind = [v.HomeBehind(person(u), p.count, p.quota) for u, p in progress.items() if p.count < p.quota]
    today = team.today(now)
    period, dates = review_dates(row, today)
    late = [person(r.member) for r in status_rows(s, team, period, dates, today) if r.late]
    return _decisions(s, team.id, now), behind, late, period


def home_view(s: Session, user_id: str, now: datetime) -> v.HomeView:
    rows = list(queries.teams_of_user(s, user_id))
    teams = [team_view(t) for t in rows]
    profile = queries.slack_users(s, [user_id]).get(user_id)
    locale = resolve_locale(profile.locale if profile else None, teams[0].locale if teams else "en")
    me = v.Person(user_id, profile.name if profile else None)
    out: list[v.HomeTeam] = []
    for row, team in zip(rows, teams, strict=True):
        prog = progress_for(s, team, [user_id], monday=team.monday(now))[user_id]
        mine = queries.topics_for_week(s, team.id, team.week(now), author_id=user_id)
        member = queries.has_role(s, team.id, user_id, "member")
        items = _own_items(s, row, team, user_id, now, member)
        due = sorted((i for i in items if i.due is not None and i.stage in ("retro_due", "not_started")),
                     key=lambda i: (i.due, i.kind, i.id))
        supervisor = queries.has_role(s, team.id, user_id, "supervisor")
        decisions, behind, late, period = _supervision(s, row, team, now) if supervisor else ([], [], [], "")
        out.append(v.HomeTeam(
            team_name=team.name, count=prog.count, quota=prog.quota,
            topics=[v.TopicLine(t.id, t.title, t.status, me) for t in mine], is_supervisor=supervisor,
            items=items, due=due, decisions=decisions, behind=behind, late_reviews=late, review_period=period,
            is_member=member,
        ))
    return v.HomeView(locale=locale, user_id=user_id, teams=out)
