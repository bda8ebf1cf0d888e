"""CSV exports (PRODUCT.md §3): a team's data for a period, by DM to a supervisor.

The request is authorized and audited here, in one transaction that also
writes a ``file`` notice; the table itself is read when the notice is
delivered (``bot/notices.py``), so a slow export never holds up Slack's 3 s.
Each kind of data registers one table builder in :data:`EXPORTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import notices
from bot.clock import Clock
from bot.domain.exports import Period, parse_export
from bot.domain.periods import local_instant, month_bounds, week_bounds
from bot.errors import N_, NotAuthorized, NotFound
from bot.i18n import resolve_locale
from bot.team import TeamView, team_view
from storage import queries
from storage.db import transaction
from storage.models import Topic


@dataclass(frozen=True)
class Table:
    columns: list[str]  # column keys; handlers/render_exports.py names them in the reader's language
    rows: list[list[Any]]


Exporter = Callable[[Session, TeamView, datetime, datetime], Table]


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).isoformat(timespec="minutes") if at else ""


def _names(s: Session, user_ids: set[str]) -> dict[str, str]:
    return {u: p.name or "" for u, p in queries.slack_users(s, user_ids).items()}


def topics_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    rows = s.scalars(
        select(Topic).where(Topic.team_id == team.id, Topic.created_at >= start, Topic.created_at < end)
        .order_by(Topic.created_at, Topic.id)
    ).all()
    names = _names(s, {t.author_id for t in rows} | {t.decided_by for t in rows if t.decided_by})
    return Table(
        ["id", "week", "title", "author_id", "author", "status", "platform", "planned_date", "proposed_at",
         "decided_by", "decided_at", "reason"],
        [[t.id, t.week, t.title, t.author_id, names.get(t.author_id, ""), t.status, t.platform or "",
          t.planned_date.isoformat() if t.planned_date else "", _local(t.created_at, team.tz),
          names.get(t.decided_by, t.decided_by or "") if t.decided_by else "", _local(t.decided_at, team.tz),
          t.reason or ""] for t in rows],
    )


EXPORTERS: dict[str, Exporter] = {"topics": topics_table}


def period_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    noon = local_instant(period.first, time(12), tz)
    return month_bounds(noon, tz) if period.kind == "month" else week_bounds(noon, tz)


@dataclass(frozen=True)
class ExportQueued:
    locale: str
    kind: str
    period: str
    team_name: str


def request_export(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
                   text: str) -> ExportQueued:
    """A supervisor asks for a CSV of their own team; it comes by DM."""
    now = clock.now()
    refused: Exception | None = None
    with transaction(db) as s:
        supervised = [team_view(t) for t in queries.teams_of_user(s, user_id, role="supervisor")]
        here = queries.team_by_channel(s, channel_id) if channel_id else None
        if not supervised or (here is not None and here.id not in {t.id for t in supervised}):
            # Typed in another team's channel, or by someone who leads no team.
            queries.add_audit(s, at=now, actor_id=user_id, action="export", outcome="denied",
                              team_id=here.id if here else None, item_kind=None, item_id=None, before=None,
                              after=None, detail=f"{text.strip()[:60]!r}: not a supervisor of the team")
            refused = NotAuthorized(N_("Only a supervisor of a team can export its data, and only their own team's."))
        else:
            team = next((t for t in supervised if here is not None and t.id == here.id), supervised[0])
            cmd = parse_export(text, team.today(now))
            if cmd.kind not in EXPORTERS:
                raise NotFound(N_("There is no {kind} data to export yet."), kind=cmd.kind)
            queries.add_audit(s, at=now, actor_id=user_id, action=f"export.{cmd.kind}", outcome="ok",
                              team_id=team.id, item_kind=None, item_id=None, before=None,
                              after={"period": cmd.period.label}, detail=None)
            queries.enqueue_notice(
                s, kind=notices.FILE, recipient=user_id, team_id=team.id, now=now,
                payload={"type": "export", "export": cmd.kind, "period": cmd.period.kind,
                         "first": cmd.period.first.isoformat(), "label": cmd.period.label},
            )
            prof = queries.slack_users(s, [user_id]).get(user_id)
            return ExportQueued(resolve_locale(prof.locale if prof else None, team.locale), cmd.kind,
                                cmd.period.label, team.name)
    assert refused is not None
    raise refused


def export_table(s: Session, team: TeamView, kind: str, period: Period) -> Table:
    start, end = period_bounds(period, team.tz)
    return EXPORTERS[kind](s, team, start, end)


def period_from_payload(p: dict[str, Any]) -> Period:
    first = date.fromisoformat(p["first"])
    return Period(p["period"], first, p["label"])

