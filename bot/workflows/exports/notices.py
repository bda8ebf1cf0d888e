"""Loader for an export file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.exports import service as exports
from bot.workflows.exports import views as export_views
from storage.models import OutboxNotice


def _load_export(s: Session, notice: OutboxNotice, now: datetime) -> export_views.ExportFile:
    p = notice.payload
    team = team_of(s, notice.team_id)
    period = exports.period_from_payload(p)
    table = exports.export_table(s, team, p["export"], period)
    # Everyone the rows name, too: one not cached yet (or stale) raises NeedProfiles, the worker
    # fetches their profiles and loads again, so no name cell is blank.
    people = People(s, now, {notice.recipient} | table.people)
    return export_views.ExportFile(
        locale=people.locale(notice.recipient, team.locale),
        kind=p["export"],
        team_name=team.name,
        period=period.label,
        columns=table.columns,
        rows=table.rows,
    )


LOADERS = NoticeLoaders(files={"export": _load_export})
