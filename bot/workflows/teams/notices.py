"""Loaders for the welcome card and the intro DMs, at delivery time: they
say what the team is then, in each recipient's language and zone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.schedule import parse_daily, parse_weekly
from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.kernel.team import zone_of
from bot.workflows.reviews import rules as review_rules
from bot.workflows.reviews.service import config as review_config
from bot.workflows.teams import views
from bot.workflows.teams.service import INTRO, WELCOME
from storage import queries
from storage.models import OutboxNotice, Team


def _weekly(spec_text: str) -> views.Weekly:
    spec = parse_weekly(spec_text)
    return views.Weekly(spec.weekday, spec.at.strftime("%H:%M"))


def _load_welcome(s: Session, notice: OutboxNotice, now: datetime) -> views.TeamWelcome:
    team = team_of(s, notice.team_id)
    supervisors = queries.team_user_ids(s, team.id, "supervisor")
    people = People(s, now, set(supervisors))
    return views.TeamWelcome(
        team.locale, team.name, [people.person(u) for u in supervisors],
        len(queries.team_user_ids(s, team.id, "member")), team.quota, team.tz.key,
        _weekly(team.schedule["weekly_plan"]), _weekly(team.schedule["quota_reminder"]),
        _weekly(team.schedule["quota_summary"]),
    )


def _load_intro(s: Session, notice: OutboxNotice, now: datetime) -> views.TeamIntroDM:
    team = team_of(s, notice.team_id)
    user = notice.recipient
    supervisors = queries.team_user_ids(s, team.id, "supervisor")
    people = People(s, now, {user, *supervisors})
    zone = zone_of(people.users.get(user), team)
    today = team.today(now)
    cfg = review_config(s.get_one(Team, team.id))
    opens = review_rules.month_end_day(today.year, today.month, team.calendar)
    due = review_rules.deadlines(today.year, today.month, team.calendar,
                                 selfreview_workday=cfg.selfreview_due_workday,
                                 evaluation_workday=cfg.evaluation_due_workday)
    return views.TeamIntroDM(
        people.locale(user, team.locale), team.name, team.channel,
        member=queries.has_role(s, team.id, user, "member"),
        supervisor=queries.has_role(s, team.id, user, "supervisor"),
        supervisors=[people.person(u) for u in supervisors if u != user], quota=team.quota, zone=zone.key,
        quota_reminder=_weekly(team.schedule["quota_reminder"]),
        daily=parse_daily(team.schedule["daily"]).at.strftime("%H:%M"),
        review_month=f"{today.year:04d}-{today.month:02d}", review_opens=opens,
        selfreview_due=due.self_review, evaluation_due=due.evaluation,
    )


LOADERS = NoticeLoaders(dms={INTRO: _load_intro}, posts={WELCOME: _load_welcome})
