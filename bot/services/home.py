"""The App Home tab's content for one person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import views as v
from bot.i18n import resolve_locale
from bot.services.quota import progress_for
from bot.team import team_view
from storage import queries


def home_view(s: Session, user_id: str, now: datetime) -> v.HomeView:
    teams = [team_view(t) for t in queries.teams_of_user(s, user_id)]
    profile = queries.slack_users(s, [user_id]).get(user_id)
    locale = resolve_locale(profile.locale if profile else None, teams[0].locale if teams else "en")
    out: list[v.HomeTeam] = []
    for team in teams:
        monday = team.monday(now)
        prog = progress_for(s, team, [user_id], monday=monday)[user_id]
        mine = queries.topics_for_week(s, team.id, team.week(now), author_id=user_id)
        me = v.Person(user_id, profile.name if profile else None)
        supervisor = queries.has_role(s, team.id, user_id, "supervisor")
        pending: list[v.TopicLine] = []
        if supervisor:
            waiting = queries.pending_topics(s, team.id, now)
            authors = queries.slack_users(s, [t.author_id for t in waiting])
            pending = [
                v.TopicLine(t.id, t.title, t.status, v.Person(t.author_id, getattr(authors.get(t.author_id), "name", None)))
                for t in waiting
            ]
        out.append(
            v.HomeTeam(
                team_name=team.name,
                count=prog.count,
                quota=prog.quota,
                topics=[v.TopicLine(t.id, t.title, t.status, me) for t in mine],
                is_supervisor=supervisor,
                pending=pending,
            )
        )
    return v.HomeView(locale=locale, user_id=user_id, teams=out)
