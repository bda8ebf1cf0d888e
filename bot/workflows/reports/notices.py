"""Loader for a report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.exports import service as exports
from bot.workflows.kudos.rules import LEADERBOARD_SIZE, recognition_of
from bot.workflows.reports import service as reports
from bot.workflows.reports import views as report_views
from storage import kudos as kudos_rows
from storage import queries
from storage import training as training_rows
from storage.models import OutboxNotice, Team


def _load_report(s: Session, notice: OutboxNotice, now: datetime) -> report_views.ReportView:
    p = notice.payload
    team = team_of(s, notice.team_id)
    period = exports.period_from_payload(p)
    members = queries.team_user_ids(s, team.id, "member")
    start, end = exports.period_bounds(period, team.tz)
    leaderboard = period.kind == "month" and recognition_of(s.get_one(Team, team.id).recognition).leaderboard
    top = kudos_rows.top_recipients(s, team.id, start, end, LEADERBOARD_SIZE) if leaderboard else []
    people = People(s, now, set(members) | {u for u, _n in top} | ({notice.recipient} if p.get("dm") else set()))
    return report_views.ReportView(
        locale=people.locale(notice.recipient, team.locale) if p.get("dm") else team.locale,
        team_name=team.name,
        period=period.label,
        kind=period.kind,
        rows=reports.report_rows(s, team, period, people),
        mention=team.mention_in_summaries,
        kudos=kudos_rows.count_between(s, team.id, start, end),
        top_kudos=[(people.person(u), n) for u, n in top],
        training=training_rows.held_between(s, team.id, start, end),
    )


LOADERS = NoticeLoaders(files={"report": _load_report})
