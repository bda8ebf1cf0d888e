"""Loader for a report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.exports import service as exports
from bot.workflows.reports import service as reports
from bot.workflows.reports import views as report_views
from storage import queries
from storage.models import OutboxNotice


def _load_report(s: Session, notice: OutboxNotice, now: datetime) -> report_views.ReportView:
    p = notice.payload
    team = team_of(s, notice.team_id)
    period = exports.period_from_payload(p)
    members = queries.team_user_ids(s, team.id, "member")
    people = People(s, now, set(members) | ({notice.recipient} if p.get("dm") else set()))
    return report_views.ReportView(
        locale=people.locale(notice.recipient, team.locale) if p.get("dm") else team.locale,
        team_name=team.name,
        period=period.label,
        kind=period.kind,
        rows=reports.report_rows(s, team, period, people),
        mention=team.mention_in_summaries,
    )


LOADERS = NoticeLoaders(files={"report": _load_report})
