"""The figures per member and period that reviews and reports read
(PRODUCT.md §2.5: topics, drafts and rounds, publications and metrics,
activities). One function, one query per kind of item, no query per member.

Periods are half-open UTC instants ``[start, end)``; callers take them from
``bot.domain.periods.month_bounds`` / ``week_bounds`` in the team's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Activity, Topic


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
    return {u: MemberFigures(**counts[u]) for u in users}
