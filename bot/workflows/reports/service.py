"""Reports (docs/PRODUCT.md §3): a team's week or month in one post with a chart —
quota per member, the content pipeline, publications and metrics, activities.

``/opsbot report`` is authorized and audited here and becomes a ``file``
notice; the figures are read when it is delivered (``bot/kernel/notices.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import week_id, week_start
from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from bot.workflows.exports.rules import Period, parse_report, report_team
from bot.workflows.exports.service import period_bounds
from bot.workflows.leave.away import days_away
from bot.workflows.reports import views as report_views
from bot.workflows.reviews.figures import member_figures
from bot.workflows.topics.rules import weekly_quota
from storage import outbox as outbox_rows
from storage import queries
from storage import topics as topic_rows
from storage.db import transaction


@dataclass(frozen=True)
class ReportQueued:
    locale: str
    team_name: str
    period: str
    to_channel: str | None  # None: by DM


def request_report(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
                   text: str, workspace: str | None = None) -> ReportQueued:
    now = clock.now()
    refused: Exception | None = None
    with transaction(db) as s:
        rows = queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)
        supervised = [team_view(t) for t in rows]
        if not supervised:
            refused = NotAuthorized(N_("Only a team's supervisors can post its reports.")).refused(
                "report", "not a supervisor")
        else:
            here = next((t for t in supervised if t.channel == channel_id), supervised[0])
            name = report_team(text)
            team = here
            if name is not None:
                named = [t for t in supervised if t.name.casefold() == name.casefold()]
                if not named:
                    raise NotFound(N_("You lead no team called “{team}”."), team=name)
                team = named[0]
            # The period is checked against the span of the team it is about.
            created = next(t.created_at for t in rows if t.id == team.id)
            cmd = parse_report(text, team.today(now), team.today(created))
            period = Period(cmd.period.kind, cmd.period.first, cmd.period.label)
            recipient = user_id if cmd.dm else team.channel
            queries.add_audit(s, at=now, actor_id=user_id, action="report", outcome="ok", team_id=team.id,
                              item_kind=None, item_id=None, before=None,
                              after={"period": period.label, "to": "dm" if cmd.dm else "channel"}, detail=None)
            outbox_rows.enqueue_notice(
                s, kind=notices.FILE, recipient=recipient, team_id=team.id, now=now,
                payload={"type": "report", "period": period.kind, "first": period.first.isoformat(),
                         "label": period.label, "dm": cmd.dm},
            )
            prof = queries.slack_users(s, [user_id]).get(user_id)
            return ReportQueued(resolve_locale(prof.locale if prof else None, team.locale), team.name, period.label,
                                None if cmd.dm else team.channel)
    assert refused is not None
    raise refused


def _mondays(period: Period) -> list:
    if period.kind == "week":
        return [period.first]
    first = week_start(period.first)
    if first < period.first:
        first += timedelta(days=7)  # a week belongs to the month its Monday is in
    out = []
    while first.month == period.first.month:
        out.append(first)
        first += timedelta(days=7)
    return out


def report_rows(s: Session, team: TeamView, period: Period, people: notices.People) -> list[report_views.ReportRow]:
    members = queries.team_user_ids(s, team.id, "member")
    start, end = period_bounds(period, team.tz)
    figures = member_figures(s, team.id, members, start, end)
    mondays = _mondays(period)
    away = days_away(s, team.id, members, mondays[0], mondays[-1] + timedelta(days=6)) if mondays else {}
    counts: dict[str, int] = {m: 0 for m in members}
    for monday in mondays:
        for author, n in topic_rows.topic_counts_for_week(s, team.id, week_id(monday), authors=members).items():
            counts[author] = counts.get(author, 0) + n
    rows = []
    for m in members:
        f = figures[m]
        quota = sum(weekly_quota(team.quota, team.calendar, d, away.get(m, set())) for d in mondays)
        rows.append(report_views.ReportRow(
            person=people.person(m), proposed=counts.get(m, 0), quota=quota, approved=f.topics_approved,
            drafts_approved=f.drafts_approved, publications=f.publications, reads=f.reads, likes=f.likes,
            comments=f.comments, shares=f.shares, activities=f.activities,
        ))
    return rows
