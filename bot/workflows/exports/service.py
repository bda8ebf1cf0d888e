"""CSV exports (docs/PRODUCT.md §3): a team's data for a period, by DM to a supervisor.

The request is authorized and audited here, in one transaction that also
writes a ``file`` notice; the table itself is read when the notice is
delivered (``bot/kernel/notices.py``), so a slow export never holds up Slack's 3 s.
Each kind of data registers one table builder in :data:`EXPORTERS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import local_date, local_instant, month_bounds, week_bounds
from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from bot.kernel.teams_file import ReviewsConfig
from bot.workflows.exports import development
from bot.workflows.exports.rules import Period, parse_export
from bot.workflows.exports.table import Exporter, Table
from bot.workflows.exports.table import figure as _figure
from bot.workflows.exports.table import local as _local
from bot.workflows.exports.table import names as _names
from bot.workflows.reviews.incentives import assess
from bot.workflows.reviews.rules import ANNUAL, HAS_RESULT, MONTHLY
from storage import outbox as outbox_rows
from storage import queries
from storage.activities import Activity
from storage.content import Draft, DraftRound, MetricsUpdate, Publication
from storage.db import transaction
from storage.leave import Leave
from storage.models import Team
from storage.reviews import PeerRating, Review
from storage.topics import Topic


def topics_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    rows = s.scalars(
        select(Topic).where(Topic.team_id == team.id, Topic.created_at >= start, Topic.created_at < end)
        .order_by(Topic.created_at, Topic.id)
    ).all()
    people = {t.author_id for t in rows} | {t.decided_by for t in rows if t.decided_by}
    names = _names(s, people)
    return Table(
        ["id", "week", "title", "author_id", "author", "status", "platform", "planned_date", "proposed_at",
         "decided_by", "decided_at", "reason"],
        [[t.id, t.week, t.title, t.author_id, names.get(t.author_id, ""), t.status, t.platform or "",
          t.planned_date.isoformat() if t.planned_date else "", _local(t.created_at, team.tz),
          names.get(t.decided_by, t.decided_by or "") if t.decided_by else "", _local(t.decided_at, team.tz),
          t.reason or ""] for t in rows],
        people,
    )


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f}"


def content_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Drafts whose first round went in during the period: rounds, hours in
    review (decided rounds), status, where they were published, latest figures."""
    drafts = s.execute(
        select(Draft, Topic.title, Publication)
        .join(Topic, Topic.id == Draft.topic_id)
        .outerjoin(Publication, Publication.draft_id == Draft.id)
        .where(Draft.team_id == team.id, Draft.created_at >= start, Draft.created_at < end)
        .order_by(Draft.created_at, Draft.id)
    ).all()
    ids = [d.id for d, _t, _p in drafts]
    in_review: dict[int, float] = {}
    for r in s.scalars(select(DraftRound).where(DraftRound.draft_id.in_(ids))).all() if ids else []:
        if r.decided_at is not None:
            in_review[r.draft_id] = in_review.get(r.draft_id, 0.0) + (r.decided_at - r.submitted_at).total_seconds()
    pubs = [p.id for _d, _t, p in drafts if p is not None]
    latest: dict[int, MetricsUpdate] = {}
    for m in s.scalars(select(MetricsUpdate).where(MetricsUpdate.publication_id.in_(pubs))
                       .order_by(MetricsUpdate.at, MetricsUpdate.id)).all() if pubs else []:
        latest[m.publication_id] = m  # the last one counts
    people = {d.author_id for d, _t, _p in drafts} | {d.approved_by for d, _t, _p in drafts if d.approved_by}
    names = _names(s, people)
    rows = []
    for d, title, p in drafts:
        m = latest.get(p.id) if p else None
        rows.append([
            d.id, d.topic_id, title, d.author_id, names.get(d.author_id, ""), d.status, d.round,
            _hours(in_review[d.id]) if d.id in in_review else "", _local(d.created_at, team.tz),
            names.get(d.approved_by, d.approved_by) if d.approved_by else "", _local(d.approved_at, team.tz),
            p.platform if p else "", p.url if p else "", _local(p.published_at if p else None, team.tz),
            m.reads if m else "", m.likes if m else "", m.comments if m else "", m.shares if m else "",
            _local(m.at if m else None, team.tz),
        ])
    return Table(
        ["id", "topic_id", "title", "author_id", "author", "status", "rounds", "hours_in_review", "submitted_at",
         "approved_by", "approved_at", "platform", "url", "published_at", "reads", "likes", "comments", "shares",
         "metrics_at"],
        rows,
        people,
    )


_ACTIVITY_FIGURES = ("participants", "engagement", "conversion")


def activities_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Activities that start in the period: targets beside the retrospective's actuals."""
    rows = s.scalars(
        select(Activity).where(Activity.team_id == team.id, Activity.starts_at >= start, Activity.starts_at < end)
        .order_by(Activity.starts_at, Activity.id)
    ).all()
    people = {a.owner_id for a in rows} | {a.decided_by for a in rows if a.decided_by}
    names = _names(s, people)
    out = []
    for a in rows:
        targets, retro = a.targets or {}, a.retro or {}
        actuals = retro.get("actuals") or retro
        out.append([
            a.id, a.theme, a.format, a.owner_id, names.get(a.owner_id, ""), _local(a.starts_at, team.tz),
            _local(a.ends_at, team.tz), a.status, a.round,
            *[_figure(targets.get(k)) for k in _ACTIVITY_FIGURES],
            *[_figure(actuals.get(k)) if a.retro else "" for k in _ACTIVITY_FIGURES],
            names.get(a.decided_by, a.decided_by) if a.decided_by else "", _local(a.decided_at, team.tz),
            _local(a.retro_at, team.tz),
        ])
    return Table(
        ["id", "theme", "format", "owner_id", "owner", "starts_at", "ends_at", "status", "rounds",
         "target_participants", "target_engagement", "target_conversion", "actual_participants",
         "actual_engagement", "actual_conversion", "decided_by", "decided_at", "retro_at"],
        out,
        people,
    )


def leave_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Leave requests that overlap the period; days are the team's working days."""
    first, last = local_date(start, team.tz), local_date(end, team.tz) - timedelta(days=1)
    rows = s.scalars(
        select(Leave).where(Leave.team_id == team.id, Leave.start_date <= last, Leave.end_date >= first)
        .order_by(Leave.start_date, Leave.id)
    ).all()
    people = {lv.user_id for lv in rows} | {lv.decided_by for lv in rows if lv.decided_by}
    names = _names(s, people)
    return Table(
        ["id", "user_id", "user", "start_date", "end_date", "working_days", "reason", "status", "requested_at",
         "decided_by", "decided_at", "decision_reason", "cancelled_at"],
        [[lv.id, lv.user_id, names.get(lv.user_id, ""), lv.start_date.isoformat(), lv.end_date.isoformat(),
          len(team.calendar.working_days(lv.start_date, lv.end_date)), lv.reason, lv.status,
          _local(lv.created_at, team.tz), names.get(lv.decided_by, lv.decided_by) if lv.decided_by else "",
          _local(lv.decided_at, team.tz), lv.decision_reason or "", _local(lv.cancelled_at, team.tz)]
         for lv in rows],
        people,
    )


def _review_periods(start: datetime, end: datetime, tz: ZoneInfo) -> set[str]:
    """The months the period touches, and the year when December is among them (annual reviews)."""
    first, last = local_date(start, tz), local_date(end, tz) - timedelta(days=1)
    out: set[str] = set()
    d = first.replace(day=1)
    while d <= last:
        out.add(f"{d:%Y-%m}")
        if d.month == 12:
            out.add(f"{d.year:04d}")
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def _annual_incentives(s: Session, team_id: int, annual: list[Review], cfg: ReviewsConfig) -> dict[int, tuple]:
    """Per annual review: its bonus coefficient (empty until the annual grade
    is set) and whether a candidate rule marks the member (yes/no). Monthly
    rows leave these columns empty: the coefficient belongs to the year."""
    monthly: dict[tuple[str, str], list[str]] = {}
    years = {r.period for r in annual}
    if years:
        for m in s.scalars(select(Review).where(
                Review.team_id == team_id, Review.kind == MONTHLY, Review.status.in_(HAS_RESULT),
                Review.grade.is_not(None), or_(*(Review.period.like(f"{y}-%") for y in years)))):
            monthly.setdefault((m.user_id, m.period[:4]), []).append(m.grade or "")
    out = {}
    for r in annual:
        found = assess(cfg.incentives, r.grade if r.status in HAS_RESULT else None, monthly.get((r.user_id, r.period), []))
        out[r.id] = (found.coefficient or "", "yes" if found.promotion else "no", "yes" if found.training else "no")
    return out


def reviews_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Per member and month: scores, total, grade, status, objection outcome.
    Colleagues' ratings appear only as their count, and their average from the
    team's ``peer_ratings_min`` on; never who gave them."""
    rows = s.scalars(
        select(Review).where(Review.team_id == team.id, Review.period.in_(_review_periods(start, end, team.tz)))
        .order_by(Review.kind.desc(), Review.period, Review.user_id)
    ).all()
    ids = [r.id for r in rows]
    peers: dict[int, list[int]] = {}
    for review_id, score in s.execute(select(PeerRating.review_id, PeerRating.score)
                                      .where(PeerRating.review_id.in_(ids), PeerRating.score.is_not(None))).all() \
            if ids else []:
        peers.setdefault(review_id, []).append(score)
    cfg = ReviewsConfig.model_validate(s.get_one(Team, team.id).reviews or {})
    minimum = cfg.peer_ratings_min
    incentive = _annual_incentives(s, team.id, [r for r in rows if r.kind == ANNUAL], cfg)
    people = {r.user_id for r in rows} | {r.evaluator_id for r in rows if r.evaluator_id}
    names = _names(s, people)
    dims = ("performance", "ability", "attitude")
    out = []
    for r in rows:
        own, given, scored = r.self_scores or {}, r.scores or {}, peers.get(r.id, [])
        out.append([
            r.id, r.period, r.kind, r.user_id, names.get(r.user_id, ""), r.status,
            *[_figure(own.get(k)) for k in dims], _local(r.self_submitted_at, team.tz),
            *[_figure(given.get(k)) for k in dims],
            f"{r.total_centi / 100:.2f}" if r.total_centi is not None else "", r.grade or "",
            names.get(r.evaluator_id, r.evaluator_id) if r.evaluator_id else "", _local(r.evaluated_at, team.tz),
            f"{sum(scored) / len(scored):.1f}" if len(scored) >= minimum else "", len(scored),
            _local(r.objected_at, team.tz), r.resolution or "", _local(r.resolved_at, team.tz),
            *incentive.get(r.id, ("", "", "")),
        ])
    return Table(
        ["id", "period", "kind", "user_id", "user", "status", "self_performance", "self_ability", "self_attitude",
         "self_submitted_at", "performance", "ability", "attitude", "total", "grade", "evaluated_by", "evaluated_at",
         "peer_average", "peer_count", "objected_at", "objection_outcome", "resolved_at", "bonus_coefficient",
         "promotion_priority", "training_recommended"],
        out,
        people,
    )


EXPORTERS: dict[str, Exporter] = {
    "topics": topics_table,
    "content": content_table,
    "activities": activities_table,
    "leave": leave_table,
    "reviews": reviews_table,
    **development.EXPORTERS,
}


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
                   text: str, workspace: str | None = None) -> ExportQueued:
    """A supervisor asks for a CSV of their own team; it comes by DM."""
    now = clock.now()
    refused: Exception | None = None
    with transaction(db) as s:
        rows = queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)
        supervised = [team_view(t) for t in rows]
        here = queries.team_by_channel(s, channel_id) if channel_id else None
        if not supervised or (here is not None and here.id not in {t.id for t in supervised}):
            # Typed in another team's channel, or by someone who leads no team.
            refused = NotAuthorized(N_("Only a supervisor of a team can export its data, and only their own team's.")
                                    ).refused("export", f"{text.strip()[:60]!r}: not a supervisor of the team",
                                              team_id=here.id if here else None)
        else:
            team = next((t for t in supervised if here is not None and t.id == here.id), supervised[0])
            created = next(t.created_at for t in rows if t.id == team.id)
            cmd = parse_export(text, team.today(now), team.today(created))
            if cmd.kind not in EXPORTERS:
                raise NotFound(N_("There is no {kind} data to export yet."), kind=cmd.kind)
            queries.add_audit(s, at=now, actor_id=user_id, action=f"export.{cmd.kind}", outcome="ok",
                              team_id=team.id, item_kind=None, item_id=None, before=None,
                              after={"period": cmd.period.label}, detail=None)
            outbox_rows.enqueue_notice(
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
