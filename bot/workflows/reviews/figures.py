"""The figures per member and period that reviews and reports read
(docs/PRODUCT.md §2.5: topics, drafts and rounds, publications and metrics,
activities). One function, one query per kind of item, no query per member.

Periods are half-open UTC instants ``[start, end)``; callers take them from
``bot.domain.periods.month_bounds`` / ``week_bounds`` in the team's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.periods import local_instant, month_bounds
from bot.kernel.team import TeamView
from bot.workflows.content.rules import METRICS
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from storage import content as content_rows
from storage import reviews as review_rows
from storage.activities import Activity
from storage.content import Draft, DraftRound, Publication
from storage.topics import Topic

# The figures a supervisor may set a monthly target for (docs/PRODUCT.md §2.5).
TARGET_KEYS = ("topics_approved", "publications", "reads", "activities")


@dataclass(frozen=True)
class MemberFigures:
    topics_proposed: int = 0  # proposed in the period, not withdrawn
    topics_approved: int = 0  # approved in the period
    drafts_submitted: int = 0  # drafts whose first round was submitted in the period
    drafts_approved: int = 0  # drafts approved in the period
    rounds_per_draft: float | None = None  # mean rounds of the drafts approved in the period
    review_hours: float | None = None  # mean hours in review (submitted → decided) of those rounds
    publications: int = 0  # published in the period
    reads: int = 0  # latest metrics of the period's publications, summed
    likes: int = 0
    comments: int = 0
    shares: int = 0
    activities: int = 0  # approved activities that ended in the period


def member_figures(s: Session, team_id: int, user_ids: Iterable[str], start: datetime, end: datetime) -> dict[str, MemberFigures]:
    users = list(dict.fromkeys(user_ids))
    counts: dict[str, dict[str, int]] = {u: {} for u in users}
    proposed = s.execute(
        select(Topic.author_id, func.count(Topic.id))
        .where(Topic.team_id == team_id, Topic.author_id.in_(users), Topic.status != "withdrawn",
               Topic.created_at >= start, Topic.created_at < end)
        .group_by(Topic.author_id)
    ).all()
    approved = s.execute(
        select(Topic.author_id, func.count(Topic.id))
        .where(Topic.team_id == team_id, Topic.author_id.in_(users), Topic.status == "approved",
               Topic.decided_at >= start, Topic.decided_at < end)
        .group_by(Topic.author_id)
    ).all()
    for author, n in proposed:
        counts[author]["topics_proposed"] = n
    for author, n in approved:
        counts[author]["topics_approved"] = n
    ended = s.execute(
        select(Activity.owner_id, func.count(Activity.id))
        .where(Activity.team_id == team_id, Activity.owner_id.in_(users), Activity.status == "approved",
               Activity.ends_at >= start, Activity.ends_at < end)
        .group_by(Activity.owner_id)
    ).all()
    for owner, n in ended:
        counts[owner]["activities"] = n
    content = _content_figures(s, team_id, users, start, end)
    return {u: MemberFigures(**counts[u], **content[u]) for u in users}


def _content_figures(s: Session, team_id: int, users: list[str], start: datetime, end: datetime) -> dict[str, dict]:
    """Drafts, rounds, time in review, publications and their latest metrics:
    one query per kind of item, summed per member here."""
    out: dict[str, dict] = {u: {} for u in users}
    submitted = s.execute(
        select(Draft.author_id, func.count(Draft.id))
        .where(Draft.team_id == team_id, Draft.author_id.in_(users), Draft.created_at >= start, Draft.created_at < end)
        .group_by(Draft.author_id)
    ).all()
    for author, n in submitted:
        out[author]["drafts_submitted"] = n
    # The rounds of the drafts approved in the period, with their time in review.
    rounds = s.execute(
        select(Draft.author_id, Draft.id, DraftRound.submitted_at, DraftRound.decided_at)
        .join(DraftRound, DraftRound.draft_id == Draft.id)
        .where(Draft.team_id == team_id, Draft.author_id.in_(users), Draft.status == "approved",
               Draft.approved_at >= start, Draft.approved_at < end)
    ).all()
    drafts: dict[str, set[int]] = {}
    hours: dict[str, list[float]] = {}
    per_draft: dict[str, int] = {}
    for author, draft_id, submitted_at, decided_at in rounds:
        drafts.setdefault(author, set()).add(draft_id)
        per_draft[author] = per_draft.get(author, 0) + 1
        if decided_at is not None:
            hours.setdefault(author, []).append((decided_at - submitted_at).total_seconds() / 3600)
    for author, ids in drafts.items():
        out[author]["drafts_approved"] = len(ids)
        out[author]["rounds_per_draft"] = round(per_draft[author] / len(ids), 2)
        if hours.get(author):
            out[author]["review_hours"] = round(sum(hours[author]) / len(hours[author]), 2)
    pubs = s.execute(
        select(Publication.author_id, Publication.id)
        .where(Publication.team_id == team_id, Publication.author_id.in_(users), Publication.published_at >= start,
               Publication.published_at < end)
    ).all()
    latest = content_rows.latest_metrics(s, [pid for _a, pid in pubs])
    for author, pid in pubs:
        f = out[author]
        f["publications"] = f.get("publications", 0) + 1
        m = latest.get(pid)
        if m is not None:
            for k in METRICS:
                f[k] = f.get(k, 0) + getattr(m, k)
    return out


def _month_bounds(team: TeamView, period: str) -> tuple[datetime, datetime]:
    y, m = rules.parse_period(period) or (0, 0)
    return month_bounds(local_instant(date(y, m, 15), time(12), team.tz), team.tz)


def figures_for(s: Session, team: TeamView, user_id: str, period: str) -> list[review_views.ReviewFigure]:
    """One member's figures for a review month, beside their targets."""
    start, end = _month_bounds(team, period)
    f = member_figures(s, team.id, [user_id], start, end).get(user_id) or MemberFigures()
    t = review_rows.targets(s, team.id, user_id, period)
    target = {k: getattr(t, k) for k in TARGET_KEYS} if t else {}
    return [review_views.ReviewFigure(x.name, getattr(f, x.name), target.get(x.name)) for x in fields(MemberFigures)]


def agreed_indicators(s: Session, team_id: int, member: str, period: str) -> list[review_views.PlanIndicator]:
    """The custom indicators of the plan the member agreed to for ``period`` (none without one)."""
    p = review_rows.plan(s, team_id, member, period)
    r = review_rows.plan_round(s, p.id, p.agreed_round) if p and p.agreed_round else None
    return [review_views.PlanIndicator(**i) for i in r.indicators] if r else []
